/** Unified diffs of spec texts, as `diff -u` prints them: 3 lines of context, `---`/`+++` headers only. */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** A unified diff with `---`/`+++` headers only, '' when the texts are equal. */
export function unifiedDiff(oldName: string, newName: string, before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(oldName, newName, before, after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
