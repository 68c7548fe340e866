/**
 * Writes the hard walkarounds (fixtures/hard-walkarounds.ts) into a folder with their labels.json, for
 * `lotreel eval`'s segmentation figures: the held-out reporting set by default, the tuning set, or both
 * (each item says its purpose, and eval reports the two apart):
 *   npx tsx benchmarks/hard-labelled-set.ts DIR [reporting|tuning|all]
 *   node bin/lotreel.js eval DIR
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHard, hardLabel, HARD_FIXTURES, REPORTING_SET, TUNING_SET } from '../fixtures/hard-walkarounds.js';

const [dir, which = 'reporting'] = process.argv.slice(2);
const sets = { reporting: REPORTING_SET, tuning: TUNING_SET, all: HARD_FIXTURES } as const;
if (!dir || !(which in sets)) {
  console.error('usage: tsx benchmarks/hard-labelled-set.ts DIR [reporting|tuning|all]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const items = [];
for (const spec of sets[which as keyof typeof sets]) {
  const built = await buildHard(spec);
  const file = `${spec.name}.mp4`;
  copyFileSync(built.video, join(dir, file));
  items.push(hardLabel(file, built.truth));
}
writeFileSync(join(dir, 'labels.json'), JSON.stringify({ items }, null, 1));
console.log(`${items.length} ${which} fixtures written to ${dir}`);
