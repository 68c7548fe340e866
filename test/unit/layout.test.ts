/**
 * The source tree keeps its shape: every folder of src/ has a README saying what it owns and what it may
 * import, imports follow those lines, no file imports itself back through others, no file grows past
 * 400 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');
const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of a file (type-only ones too: they tie modules together all the same). */
export function relativeImports(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)];
  return specifiers.map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
}

/** Strongly connected groups of more than one file (or a file importing itself). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(group);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

const folderOf = (file: string) => relative(src, file).split('/')[0];

function mayImport(folder: string): Set<string> {
  const readme = readFileSync(join(src, folder, 'README.md'), 'utf8');
  const line = /^May import: (.*)\.$/m.exec(readme);
  if (!line) throw new Error(`src/${folder}/README.md has no "May import: ..." line`);
  return new Set(line[1] === 'nothing of src/' ? [] : line[1].split(',').map((s) => s.trim()));
}

describe('source layout', () => {
  const files = sourceFiles(src);
  const graph = new Map(files.map((f) => [f, relativeImports(f, readFileSync(f, 'utf8'))]));

  it('finds cycles and imports in its own examples (the check itself can fail)', () => {
    expect(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['c', 'b', 'a']]);
    expect(importCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
    expect(relativeImports('/x/y/z.ts', "import type { A } from '../a.js';\nexport * from './b.js';\nconst m = await import('./c.js');")).toEqual(['/x/a.ts', '/x/y/b.ts', '/x/y/c.ts']);
  });

  it('has no import cycles in src/', () => {
    expect(importCycles(graph).map((group) => group.map((f) => relative(src, f)).sort())).toEqual([]);
  });

  it('every folder of src/ has a README with what it owns and what it may import, and imports only that', () => {
    const folders = readdirSync(src).filter((entry) => statSync(join(src, entry)).isDirectory());
    const wrong: string[] = [];
    for (const folder of folders) {
      const allowed = mayImport(folder);
      for (const name of allowed) if (!folders.includes(name)) wrong.push(`src/${folder}/README.md names a folder that does not exist: ${name}`);
    }
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      for (const target of imports) {
        const to = folderOf(target);
        if (to !== from && !to.includes('.') && !mayImport(from).has(to)) wrong.push(`${relative(src, file)} imports ${relative(src, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines (src/ and web/src/)`, () => {
    const long = [...files, ...sourceFiles(join(root, 'web', 'src'))]
      .map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
