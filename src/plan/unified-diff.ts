/**
 * Unified diffs of spec texts. Most plans only add lines (enable) or only remove them (disable); for
 * those an O(n) alignment finds the edit, where the general Myers diff of the `diff` package costs
 * tens of milliseconds on a long policy. Anything else goes to `diff`'s createTwoFilesPatch. Both
 * paths print through `diff`'s formatPatch, with its hunk rules (3 lines of context, hunks joined
 * when at most 6 unchanged lines lie between them).
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY, formatPatch, type StructuredPatch } from 'diff';

const CONTEXT = 3;

interface Run {
  lines: string[];
  added?: boolean;
  removed?: boolean;
}

/** Lines with their `\n` kept (the last may have none), as `diff` splits them. */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Runs turning `short` into `long` by inserting lines only, or undefined when `long` is not `short`
 * with lines inserted. When a line matches but the next does not, a later place where both match is
 * preferred, so that a blank line inside an inserted block does not anchor on the blank line after it.
 */
function insertionsOnly(short: string[], long: string[]): Run[] | undefined {
  const runs: Run[] = [];
  const push = (line: string, added: boolean) => {
    const last = runs[runs.length - 1];
    if (last && (last.added === true) === added) last.lines.push(line);
    else runs.push(added ? { lines: [line], added: true } : { lines: [line] });
  };
  let i = 0;
  let j = 0;
  while (i < short.length) {
    if (j >= long.length) return undefined;
    if (short[i] === long[j] && !betterAnchorLater(short, long, i, j)) {
      push(short[i]!, false);
      i++;
    } else push(long[j]!, true);
    j++;
  }
  while (j < long.length) push(long[j++]!, true);
  return runs;
}

function betterAnchorLater(short: string[], long: string[], i: number, j: number): boolean {
  if (i + 1 >= short.length || short[i + 1] === long[j + 1]) return false;
  for (let k = j + 1; k + 1 < long.length; k++) {
    if (long[k] === short[i] && long[k + 1] === short[i + 1]) return true;
  }
  return false;
}

/** `diff`'s own grouping of runs into hunks (diffLinesResultToPatch), for the same output. */
function toHunks(runs: Run[]): StructuredPatch['hunks'] {
  const hunks: StructuredPatch['hunks'] = [];
  const all = [...runs, { lines: [] }];
  let oldStart = 0;
  let newStart = 0;
  let current: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < all.length; i++) {
    const run = all[i]!;
    if (run.added || run.removed) {
      if (!oldStart) {
        const previous = all[i - 1];
        oldStart = oldLine;
        newStart = newLine;
        if (previous) {
          current = previous.lines.slice(-CONTEXT).map((l) => ` ${l}`);
          oldStart -= current.length;
          newStart -= current.length;
        }
      }
      for (const line of run.lines) current.push((run.added ? '+' : '-') + line);
      if (run.added) newLine += run.lines.length;
      else oldLine += run.lines.length;
      continue;
    }
    if (oldStart) {
      if (run.lines.length <= CONTEXT * 2 && i < all.length - 2) {
        for (const line of run.lines) current.push(` ${line}`);
      } else {
        const size = Math.min(run.lines.length, CONTEXT);
        for (const line of run.lines.slice(0, size)) current.push(` ${line}`);
        hunks.push({
          oldStart,
          oldLines: oldLine - oldStart + size,
          newStart,
          newLines: newLine - newStart + size,
          lines: current,
        });
        oldStart = 0;
        newStart = 0;
        current = [];
      }
    }
    oldLine += run.lines.length;
    newLine += run.lines.length;
  }
  for (const hunk of hunks) {
    for (let i = 0; i < hunk.lines.length; i++) {
      if (hunk.lines[i]!.endsWith('\n')) hunk.lines[i] = hunk.lines[i]!.slice(0, -1);
      else hunk.lines.splice(++i, 0, '\\ No newline at end of file');
    }
  }
  return hunks;
}

/** A unified diff with `---`/`+++` headers only, '' when the texts are equal. */
export function unifiedDiff(oldName: string, newName: string, before: string, after: string): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  let runs = a.length <= b.length ? insertionsOnly(a, b) : undefined;
  if (!runs && a.length > b.length) {
    runs = insertionsOnly(b, a)?.map((run) => (run.added ? { lines: run.lines, removed: true } : run));
  }
  if (!runs) {
    return createTwoFilesPatch(oldName, newName, before, after, undefined, undefined, {
      context: CONTEXT,
      headerOptions: FILE_HEADERS_ONLY,
    });
  }
  const patch: StructuredPatch = {
    oldFileName: oldName,
    newFileName: newName,
    oldHeader: undefined,
    newHeader: undefined,
    hunks: toHunks(runs),
  };
  return formatPatch(patch, FILE_HEADERS_ONLY);
}
