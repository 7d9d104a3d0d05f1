/**
 * The arrows of ../shared/DESIGN.md, checked over every import in src/ (type-only and dynamic ones
 * included): bin -> cli -> apply -> kops; cli and apply -> plan -> spec -> policy; logs under cli;
 * the bottom modules (errors, io, ...) under everything. No import runs upward and no cycle exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/paths.js';

const SRC = path.join(REPO_ROOT, 'src');

type Layer = 'bottom' | 'policy' | 'spec' | 'plan' | 'kops' | 'apply' | 'logs' | 'cli' | 'bin';

/** What each layer may import besides itself. */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  bottom: [],
  policy: ['bottom'],
  spec: ['bottom', 'policy'],
  plan: ['bottom', 'policy', 'spec'],
  kops: ['bottom', 'policy', 'spec'],
  apply: ['bottom', 'policy', 'spec', 'plan', 'kops'],
  logs: ['bottom', 'policy'],
  cli: ['bottom', 'policy', 'spec', 'plan', 'kops', 'apply', 'logs'],
  bin: ['bottom', 'cli'],
};

/** The pure core takes and returns values: no files, processes or prompts (DESIGN.md). */
const PURE: Layer[] = ['bottom', 'policy', 'spec', 'plan'];
const EFFECTS = /^(node:)?(fs|fs\/promises|child_process|worker_threads|readline)$|^execa$|^@inquirer\//;

function layerOf(file: string): Layer {
  const relative = path.relative(SRC, file).split(path.sep);
  if (relative.length === 1) return relative[0] === 'bin.ts' ? 'bin' : 'bottom';
  const top = relative[0] as Layer;
  if (!(top in MAY_IMPORT) || top === 'bottom' || top === 'bin') {
    throw new Error(`src/${relative.join('/')} is in no layer: add its directory to MAY_IMPORT`);
  }
  return top;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

interface Edge {
  from: string;
  to: string;
}

/** Every import of `file`: relative ones resolved to files in src/, others as package names. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const local: string[] = [];
  const packages: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) {
      packages.push(fileName);
      continue;
    }
    const resolved = path.resolve(path.dirname(file), fileName).replace(/\.js$/, '.ts');
    local.push(resolved);
  }
  return { local, packages };
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const name = (file: string) => path.relative(REPO_ROOT, file);

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    indices.set(file, index);
    low.set(file, index);
    index++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file)?.local ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, indices.get(next)!));
    }
    if (low.get(file) === indices.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = graph.get(file)?.local.includes(file);
      if (component.length > 1 || selfImport) found.push(component.map(name).sort());
    }
  };
  for (const file of files) if (!indices.has(file)) visit(file);
  return found;
}

describe('the layers of src/ (DESIGN.md)', () => {
  it('every import resolves to a file in src/', () => {
    const missing: Edge[] = [];
    for (const [from, { local }] of graph) {
      for (const to of local) if (!graph.has(to)) missing.push({ from: name(from), to: name(to) });
    }
    expect(missing).toEqual([]);
  });

  it('no import runs against the arrows', () => {
    const upward: string[] = [];
    for (const [from, { local }] of graph) {
      const layer = layerOf(from);
      for (const to of local) {
        const target = layerOf(to);
        if (target !== layer && !MAY_IMPORT[layer].includes(target)) {
          upward.push(`${name(from)} (${layer}) imports ${name(to)} (${target})`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('the pure core (policy, spec, plan and the bottom modules) reads no files and runs nothing', () => {
    const effects: string[] = [];
    for (const [from, { packages }] of graph) {
      if (!PURE.includes(layerOf(from))) continue;
      for (const pkg of packages) if (EFFECTS.test(pkg)) effects.push(`${name(from)} imports ${pkg}`);
    }
    expect(effects).toEqual([]);
  });

  it('there is no import cycle, type-only imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('the checks see what they check: an upward import and a cycle are found', () => {
    // Guards against a checker that passes because it reads nothing.
    expect(graph.size).toBeGreaterThan(50);
    const cli = files.find((f) => name(f) === 'src/cli/main.ts')!;
    const spec = files.find((f) => name(f) === 'src/spec/compat.ts')!;
    expect(MAY_IMPORT[layerOf(spec)]).not.toContain(layerOf(cli));
    const saved = graph.get(spec)!;
    graph.set(spec, { ...saved, local: [...saved.local, spec] });
    try {
      expect(cycles()).toContainEqual(['src/spec/compat.ts']);
    } finally {
      graph.set(spec, saved);
    }
  });
});
