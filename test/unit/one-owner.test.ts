/**
 * One owner per concept: the draft statuses, the video statuses and the evidence sources are each
 * written once, as a constant in their domain, and everything else (the API's zod schemas, the
 * repositories, the web page, the e2e harness) derives from it. A second copy of a list fails here,
 * and so does a browser bundle that would pull a Node module or zod through a shared import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_SOURCES } from '../../src/evidence/evidence.js';
import { DRAFT_FIELDS, FIELD_SOURCES } from '../../src/listing/draft-fields.js';
import { DRAFT_STATUSES } from '../../src/listing/draft-status.js';
import { draftStatus, editorDraft, feedItem, fieldSource, jobStatus } from '../../src/service/schemas.js';
import { isVideoFinished, VIDEO_STATUSES } from '../../src/store/video-status.js';
import { REEL_STATUSES } from '../../src/store/reels.repository.js';

const root = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

/** Runs of two or more quoted words joined by `,` or `|`: arrays, unions, z.enum([...]), SQL `in (...)`. */
export function literalRuns(text: string): string[][] {
  const runs = text.matchAll(/(['"])[\w-]+\1(?:\s*[,|]\s*(['"])[\w-]+\2)+/g);
  return [...runs].map((m) => [...m[0].matchAll(/['"]([\w-]+)['"]/g)].map((w) => w[1]!));
}

const CONCEPTS = [
  { name: 'draft status', values: DRAFT_STATUSES, owner: 'src/listing/draft-status.ts' },
  { name: 'video status', values: VIDEO_STATUSES, owner: 'src/store/video-status.ts' },
  { name: 'evidence source', values: EVIDENCE_SOURCES, owner: 'src/evidence/evidence.ts' },
  { name: 'reel status', values: REEL_STATUSES, owner: 'src/store/reels.repository.ts' },
] as const;

/**
 * Shipped migrations are never edited (src/store/migrations.ts), so their check constraints keep their
 * own text; test/integration/store/status-constraints.test.ts holds the database to the constants.
 */
const HISTORICAL = new Set(['src/store/migrations.ts']);

/**
 * A run that names this many values of a concept declares (part of) its list: all but one of a short
 * list, three of a long one (two sources side by side are data, like a candidate's `['badge', 'clip']`).
 */
const declares = (values: readonly string[]) => Math.min(3, values.length - 1);

/** Where a run declares a concept's list, as "file: concept". */
function declarations(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const path = relative(root, file);
    if (HISTORICAL.has(path)) continue;
    for (const run of literalRuns(readFileSync(file, 'utf8'))) {
      for (const concept of CONCEPTS) {
        const values = concept.values as readonly string[];
        const named = new Set(run.filter((word) => values.includes(word)));
        // A word only another concept has (a reel's 'rendering') makes the run that concept's list.
        const otherConcepts = run.some((word) => !values.includes(word) && CONCEPTS.some((c) => (c.values as readonly string[]).includes(word)));
        if (named.size >= declares(values) && !otherConcepts) found.push(`${path}: ${concept.name}`);
      }
    }
  }
  return found;
}

describe('one owner per concept', () => {
  it('finds literal lists in its own examples (the check itself can fail)', () => {
    expect(literalRuns("z.enum(['queued', 'processing', 'done'])")).toEqual([['queued', 'processing', 'done']]);
    expect(literalRuns("type S =\n  | 'needs_review'\n  | 'ready';")).toEqual([['needs_review', 'ready']]);
    expect(literalRuns("check (status in ('processing', 'done', 'failed'))")).toEqual([['processing', 'done', 'failed']]);
    expect(literalRuns("s.status === 'done' || s.status === 'failed'")).toEqual([]);
    expect(literalRuns("source: 'sticker', confidence: 1")).toEqual([]);
    const file = join(root, 'src', 'listing', 'draft-status.ts');
    expect(declarations([file])).toEqual(['src/listing/draft-status.ts: draft status']);
  });

  it('writes each list once: in its owner, nowhere else in src/, web/src/ or the test harnesses', () => {
    const harnesses = sourceFiles(join(root, 'test')).filter((f) => !f.endsWith('.test.ts'));
    const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'web', 'src')), ...harnesses];
    expect(declarations(files).sort()).toEqual(CONCEPTS.map((c) => `${c.owner}: ${c.name}`).sort());
  });

  it('the API schemas publish the domain lists themselves', () => {
    expect(draftStatus.options).toEqual([...DRAFT_STATUSES]);
    expect(jobStatus.options).toEqual([...VIDEO_STATUSES]);
    expect(fieldSource.options).toEqual([...FIELD_SOURCES]);
    expect(FIELD_SOURCES).toEqual([...EVIDENCE_SOURCES, 'generated']);
    expect(feedItem.shape.state.options).toEqual([...DRAFT_STATUSES]);
    expect(editorDraft.shape.status.options).toEqual([...DRAFT_STATUSES]);
    expect(Object.keys(editorDraft.shape.fields.shape)).toEqual([...DRAFT_FIELDS]);
  });

  it('a video is finished when done or failed, not before', () => {
    expect(VIDEO_STATUSES.filter(isVideoFinished)).toEqual(['done', 'failed']);
  });
});

/** Value (not type-only) imports of a file: `import type`, `export type` and all-`type` braces are left out. */
export function valueImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(import|export)\s+([^;]*?)\s*from\s+['"]([^'"]+)['"]/g)) {
    const clause = m[2]!;
    if (/^type\s/.test(clause)) continue;
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    if (braces && braces[1]!.split(',').every((name) => name.trim() === '' || /^type\s/.test(name.trim()))) continue;
    specifiers.push(m[3]!);
  }
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) specifiers.push(m[1]!);
  return specifiers;
}

describe('the web page shares code with the server, never Node', () => {
  it('tells value imports from type-only ones in its own examples', () => {
    const text = "import type { z } from 'zod';\nimport { type A, type B } from './a.js';\nimport { foldEdits } from '../src/edits/fold.js';\nimport 'whatwg-fetch';\nexport type { X } from './x.js';";
    expect(valueImports(text)).toEqual(['../src/edits/fold.js', 'whatwg-fetch']);
  });

  it("imports at run time only pure modules of src/ (no package, no Node) and the page's own package (whatwg-fetch)", () => {
    const entry = join(root, 'web', 'src', 'main.ts');
    const seen = new Set<string>();
    const wrong: string[] = [];
    const shared: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const inSrc = file.startsWith(join(root, 'src') + '/');
      if (inSrc) shared.push(relative(root, file));
      for (const specifier of valueImports(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          if (!specifier.endsWith('.css')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
        } else if (inSrc || !['whatwg-fetch'].includes(specifier)) {
          wrong.push(`${relative(root, file)} imports ${specifier}`);
        }
      }
    };
    visit(entry);
    expect(wrong).toEqual([]);
    // The edit folding and the lists really are shared (this is no empty check).
    expect(shared.sort()).toEqual(['src/edits/fold.ts', 'src/edits/geometry.ts', 'src/edits/limits.ts', 'src/store/video-status.ts']);
  });
});
