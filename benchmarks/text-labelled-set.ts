/**
 * Writes the rendered labelled set of issue 14 (test/integration/text/labelled-set.ts: Buyers Guides,
 * Monroney labels, dealers' stickers and European price boards photographed on real car frames, rear
 * badges on the real Camaro) into a folder with its labels.json, for `lotreel eval`. The test's
 * tuning split is seed 14 with 8 and 16, its reporting split seed 2027 with 16 and 32:
 *   npx tsx benchmarks/text-labelled-set.ts DIR [documentsPerKind=8] [badges=16] [seed=14]
 *   node bin/lotreel.js eval DIR
 * Prices printed on the pictures are listed in DIR/prices.json, so a run's output can be searched for them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labelledSet } from '../test/integration/text/labelled-set.js';

const [dir, documents = '8', badges = '16', seed = '14'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: tsx benchmarks/text-labelled-set.ts DIR [documentsPerKind] [badges] [seed]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const set = await labelledSet({ documents: Number(documents), badges: Number(badges), seed: Number(seed) });
for (const picture of set) writeFileSync(join(dir, picture.name), picture.jpeg);
writeFileSync(join(dir, 'labels.json'), JSON.stringify({ items: set.map((p) => ({ file: p.name, car: p.truth, plates: p.kind === 'rear-badge' ? 1 : 0 })) }, null, 1));
writeFileSync(join(dir, 'prices.json'), JSON.stringify(Object.fromEntries(set.map((p) => [p.name, p.prices])), null, 1));
console.log(`${set.length} pictures written to ${dir}`);
