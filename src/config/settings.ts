/**
 * Reading the settings: defaults, then a JSON file, then command-line overrides; validated once, every
 * problem (with its path, e.g. `photos.maxPhotos`) reported together.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { LotreelError } from '../core/errors.js';
import { settingsSchema, type Settings, type SettingsInput } from './settings-schema.js';

export * from './settings-schema.js';

/** One line per problem: `group.key: what is wrong` (an unknown key is named as such). */
export function settingsProblems(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${[...at, key].join('.')}: unknown setting`);
    return [`${at.length > 0 ? at.join('.') : '(file)'}: ${issue.message}`];
  });
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `override` on top of `base`, group by group; arrays and values are replaced whole. A base that should
 * be an object and is not (a file holding an array) is kept, so validation reports it.
 */
export function mergeSettings(base: unknown, override: unknown): unknown {
  if (!isPlainObject(override)) return override === undefined ? base : override;
  if (!isPlainObject(base)) return base === undefined ? override : base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) if (value !== undefined) merged[key] = mergeSettings(base[key], value);
  return merged;
}

/** The parsed JSON of a settings file, or the problem reading it. */
export function readSettingsFile(path: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: `${path}: cannot be read${code ? ` (${code})` : ''}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, problem: `${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

/** Validates settings; the problems instead when any value is invalid or unknown. */
export function validateSettings(input: unknown): { ok: true; value: Settings } | { ok: false; problems: string[] } {
  const parsed = settingsSchema.safeParse(input === undefined ? {} : input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: settingsProblems(parsed.error) };
}

/** Settings from defaults and overrides (tests, benchmarks, tools); INVALID_ARGUMENT lists every problem. */
export function parseSettings(input: SettingsInput = {}): Settings {
  const result = validateSettings(input);
  if (!result.ok) throw new LotreelError('INVALID_ARGUMENT', result.problems.join('; '), { details: { problems: result.problems } });
  return result.value;
}

export const DEFAULT_SETTINGS: Settings = parseSettings();
export const DEFAULT_EDITOR_SETTINGS = DEFAULT_SETTINGS.editor;
