import pc from 'picocolors';

/** A unified diff coloured by line prefix (headers bold, hunks cyan, additions green, removals red). */
export function colorDiff(diff: string, color: boolean): string {
  if (!color) return diff;
  const c = pc.createColors(true);
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('---') || line.startsWith('+++')) return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
}
