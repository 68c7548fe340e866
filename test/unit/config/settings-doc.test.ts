import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SETTINGS_GROUPS, validateSettings } from '../../../src/config/config.js';

/** docs/settings.md: `### \`group\`` headings, each followed by a table of `| \`key\` | default | meaning |` rows. */
function documentedKeys(markdown: string): Map<string, string> {
  const keys = new Map<string, string>();
  let group: string | null = null;
  for (const line of markdown.split('\n')) {
    const heading = /^### `(\w+)`/.exec(line);
    if (heading) group = heading[1];
    const row = /^\| `(\w+)` \| ([^|]+) \|/.exec(line);
    if (row && group) keys.set(`${group}.${row[1]}`, row[2].trim());
  }
  return keys;
}

const documented = documentedKeys(readFileSync(new URL('../../../docs/settings.md', import.meta.url), 'utf8'));
const schemaKeys = Object.entries(SETTINGS_GROUPS).flatMap(([group, schema]) => Object.keys(schema.shape).map((key) => `${group}.${key}`));

describe('docs/settings.md', () => {
  it('documents every key of the schema, and no key the schema lacks', () => {
    expect(schemaKeys.length).toBeGreaterThan(50);
    expect([...documented.keys()].sort()).toEqual([...schemaKeys].sort());
  });

  it('states the schema default wherever it writes one as JSON', () => {
    const checked = [...documented].filter(([, value]) => /^`.*`$/.test(value));
    expect(checked.length).toBeGreaterThan(45);
    for (const [path, value] of checked) {
      const [group, key] = path.split('.');
      const actual = (DEFAULT_SETTINGS as unknown as Record<string, Record<string, unknown>>)[group][key];
      expect({ path, default: JSON.parse(value.slice(1, -1)) }).toEqual({ path, default: actual });
    }
  });

  it("docs/cli.md's Settings file section lists every group, and its example file is valid", () => {
    const cli = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
    const start = cli.indexOf('### Settings file');
    expect(start).toBeGreaterThan(0);
    const next = cli.indexOf('\n#', start + 1);
    const section = cli.slice(start, next === -1 ? undefined : next);
    const groups = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(groups).toEqual(Object.keys(SETTINGS_GROUPS));
    const example = /```json\n([\s\S]*?)```/.exec(section);
    expect(validateSettings(JSON.parse(example![1]))).toMatchObject({ ok: true, value: { photos: { maxPhotos: 8 } } });
  });
});
