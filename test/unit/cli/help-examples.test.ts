/** The examples every command's --help shows are commands that parse: no flag that does not exist. */
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../src/cli/define/flags.js';
import { buildProgram } from '../../../src/cli/main.js';
import { testCtx } from '../../helpers/ctx.js';

/** The words of `kops-audit ...` in an example (after a pipe, if any); no quoting is used in them. */
function words(command: string): string[] {
  const own = command.slice(command.lastIndexOf('kops-audit '));
  return own.split(/\s+/).slice(1);
}

describe('examples in --help', () => {
  const program = buildProgram(testCtx(), () => {});
  const cases = Object.entries(EXAMPLES).flatMap(([name, examples]) =>
    examples.map(([what, command]) => [name, what, command] as const),
  );

  it.each(cases)('%s: %s', (name, _what, command) => {
    const [sub, ...rest] = words(command);
    expect(sub).toBe(name);
    const definition = program.commands.find((c) => c.name() === sub)!;
    const { unknown } = definition.parseOptions(rest);
    expect(unknown).toEqual([]);
    // Every flag given a fixed set of values is given one of them.
    for (const option of definition.options) {
      const at = rest.findIndex((w) => w === option.long || w === option.short);
      if (at >= 0 && option.argChoices) expect(option.argChoices).toContain(rest[at + 1]);
    }
  });

  it('every command has examples, shown at the end of its --help', () => {
    for (const command of program.commands.filter((c) => c.name() !== 'help')) {
      expect(Object.keys(EXAMPLES)).toContain(command.name());
      let help = '';
      command.configureOutput({ writeOut: (text) => (help += text) });
      command.outputHelp();
      expect(help).toMatch(/\nExamples:\n {2}# /);
    }
  });
});
