/**
 * What the listing-text rules and the LLM round trip cost per draft, against the loopback server the
 * tests use (so the figure is lotreel's own overhead: client, JSON, rules; not a model's thinking time).
 *
 *   npx tsx benchmarks/listing-text.ts [--drafts 200]
 *
 * Prints ms per rules check (a 600-character text), and ms per draft for a good answer, for a bad
 * answer retried once and then replaced by the template, and without an LLM.
 */
import { DEFAULT_SETTINGS, loadConfig } from '../src/config/config.js';
import { createLlmClient } from '../src/llm/client.js';
import { writeListingText } from '../src/listing/listing-text.js';
import { silentLogger } from '../src/core/log.js';
import { resolveAttributes, type Evidence } from '../src/evidence/evidence.js';
import { listingFacts } from '../src/listing/listing-facts.js';
import { checkListingText } from '../src/listing/listing-rules.js';
import { startOpenAiServer } from '../test/helpers/openai-server.js';

const i = process.argv.indexOf('--drafts');
const drafts = i >= 0 ? Number(process.argv[i + 1]) : 200;
const settings = DEFAULT_SETTINGS.listingText;
const vin = (attribute: Evidence['attribute'], value: string | number): Evidence => ({ attribute, value, source: 'vin', confidence: 1 });
const facts = listingFacts({
  attributes: resolveAttributes([vin('make', 'Honda'), vin('model', 'Civic'), vin('year', 2019), vin('trim', 'EX-L')]),
  colour: 'blue',
  bodyType: 'sedan',
  photoCount: 12,
  videoSeconds: 18,
});
const good = {
  title: '2019 Honda Civic EX-L',
  description: 'A blue 2019 Honda Civic EX-L sedan. 12 photos show it from every side, with an 18-second walkaround video. '.repeat(5).trim(),
  highlights: ['EX-L trim', 'Blue sedan', '12 photos'],
};
const bad = { ...good, description: good.description + " Won't last long at $14,900!" };

async function timePerDraft(label: string, run: () => Promise<unknown>): Promise<void> {
  await run();
  const started = performance.now();
  for (let k = 0; k < drafts; k++) await run();
  console.log(`${label}: ${((performance.now() - started) / drafts).toFixed(2)} ms per draft`);
}

const started = performance.now();
for (let k = 0; k < drafts * 10; k++) checkListingText(good, facts, settings);
console.log(`rules check (${good.description.length}-character description): ${((performance.now() - started) / (drafts * 10)).toFixed(3)} ms`);

const server = await startOpenAiServer();
const config = loadConfig({ HOME: '/tmp', OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: server.baseUrl, LOTREEL_LLM_HTTP_RETRIES: '0' }).llm;
const llm = createLlmClient(config, settings.llmMaxConsecutiveFailures, silentLogger);
const options = { llm, settings, log: silentLogger };
await timePerDraft('LLM, good answer (1 request)', () => {
  server.script({ content: JSON.stringify(good) });
  return writeListingText(facts, options);
});
await timePerDraft('LLM, bad answers (2 requests, then the template)', () => {
  server.script({ content: JSON.stringify(bad) }, { content: JSON.stringify(bad) });
  return writeListingText(facts, options);
});
await timePerDraft('no LLM (template)', () => writeListingText(facts, { ...options, llm: null }));
await server.close();
