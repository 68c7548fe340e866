/**
 * The README and docs/ say what the code does: every concrete `lotreel …` command they show parses, and
 * the JSON result sample in docs/cli.md has exactly the fields of the result schema that the e2e CLI
 * test holds real runs to (no field documented that a run lacks, none a run has that is undocumented).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseCommand } from '../../../src/cli/args.js';
import { resultSchema } from '../../helpers/cli-result-schema.js';

const root = new URL('../../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');
const docs = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Shell code blocks' lines that run `lotreel` with concrete arguments (no `[optional]` synopsis). */
function concreteCommands(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const block of markdown.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      const command = line.replace(/\s#.*$/, '').split(/&&|\||>/).map((part) => part.trim()).find((part) => /(^|\s)lotreel\s/.test(part));
      if (!command || /[[\]…]|\.\.\./.test(command)) continue;
      const words = [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
      commands.push(words.slice(words.indexOf('lotreel') + 1));
    }
  }
  return commands;
}

type Shape = { paths: Set<string>; required: Set<string>; open: Set<string> };

/** Every field path of a zod schema (`cars[].photos[].file`), which are required, and which are free-form. */
function schemaPaths(schema: z.core.$ZodType, prefix = '', shape: Shape = { paths: new Set(), required: new Set(), open: new Set() }): Shape {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type === 'object') {
    for (const [key, field] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) {
      const path = prefix ? `${prefix}.${key}` : key;
      shape.paths.add(path);
      if (field._zod.def.type !== 'optional') shape.required.add(path);
      schemaPaths(field, path, shape);
    }
  } else if (def.type === 'optional' || def.type === 'nullable') schemaPaths(def.innerType as z.core.$ZodType, prefix, shape);
  else if (def.type === 'array') schemaPaths(def.element as z.core.$ZodType, `${prefix}[]`, shape);
  else if (def.type === 'union') for (const option of def.options as z.core.$ZodType[]) schemaPaths(option, prefix, shape);
  else if (def.type === 'record') shape.open.add(prefix);
  return shape;
}

/** Every field path of a JSON value, in the same notation. */
function valuePaths(value: unknown, prefix = '', paths = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) valuePaths(item, `${prefix}[]`, paths);
  else if (value && typeof value === 'object') {
    for (const [key, field] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      paths.add(path);
      valuePaths(field, path, paths);
    }
  }
  return paths;
}

describe('the README and docs/ match the code', () => {
  it('every concrete lotreel command they show is one the command line accepts', () => {
    const all = docs.flatMap((file) => concreteCommands(read(file)).map((argv) => ({ file, argv })));
    expect(all.length).toBeGreaterThan(8);
    expect(all.filter(({ file }) => file === 'README.md').length).toBeGreaterThanOrEqual(4);
    for (const { file, argv } of all) expect(() => parseCommand(argv), `${file}: lotreel ${argv.join(' ')}`).not.toThrow();
  });

  it("docs/cli.md's JSON result sample has exactly the result schema's fields", () => {
    const sample = /### JSON result[\s\S]*?```json\n([\s\S]*?)```/.exec(read('docs/cli.md'));
    expect(sample).not.toBeNull();
    const documented = valuePaths(JSON.parse(sample![1]));
    const schema = schemaPaths(resultSchema);
    const underOpen = (path: string) => [...schema.open].some((open) => path.startsWith(`${open}.`));
    const undocumentedByCode = [...documented].filter((path) => !schema.paths.has(path) && !underOpen(path));
    expect(undocumentedByCode, 'fields in the sample that a run never has').toEqual([]);
    // A required field must be in the sample wherever the sample shows its parent object.
    const parentShown = (path: string) => {
      if (!path.includes('.')) return true;
      const parent = path.slice(0, path.lastIndexOf('.'));
      return [...documented].some((p) => p.startsWith(`${parent}.`));
    };
    const missing = [...schema.required].filter((path) => !documented.has(path) && !underOpen(path) && parentShown(path));
    expect(missing, 'fields every run has that the sample does not show').toEqual([]);
  });
});
