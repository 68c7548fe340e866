/**
 * The reel's narration written by an LLM (src/reel/narration.ts) against a real HTTP server on loopback
 * speaking the OpenAI protocol: a script that keeps the listing rules is taken; one with a price,
 * marketing words or too many words is sent back once with the reasons; two bad answers, or a failed
 * request, leave the captions as the script. Nothing that breaks a rule is ever returned to be spoken.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import type { ListingFacts } from '../../../src/listing/listing-facts.js';
import { createLlmClient } from '../../../src/llm/client.js';
import { narrationMaxWords, writeNarration } from '../../../src/reel/narration.js';
import { startOpenAiServer, type FakeOpenAiServer } from '../../helpers/openai-server.js';

const facts: ListingFacts = {
  make: 'Volvo', model: 'V60', year: 2018, trim: null, bodyType: 'estate', colour: 'blue', mileage: '61000 km',
  engine: null, fuel: 'diesel', drive: null, transmission: 'automatic', interiorColour: null, features: ['Heated seats'], photoCount: 9, videoSeconds: 14, viewsSeen: [], sources: {},
};
const captions = ['2018 Volvo V60', '61,000 km', 'Heated seats'];
const REEL_MS = 15_000;
const answer = (script: string) => ({ content: JSON.stringify({ script }) });
const GOOD = 'This is a blue 2018 Volvo V60 estate. It has covered 61000 km. It has heated seats and an automatic gearbox.';

let server: FakeOpenAiServer;
const llm = () => createLlmClient({ apiKey: 'test', baseUrl: server.baseUrl, model: 'test', timeoutMs: 10_000, httpRetries: 0, responseFormat: 'json_schema', vision: false }, 5, silentLogger)!;
const chats = () => server.requests.filter((r) => r.path === '/v1/chat/completions');

beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(async () => server?.close());
beforeEach(() => server.reset());

describe("the reel's narration by an LLM", () => {
  it('takes a script that keeps the rules, asking once with the facts and the captions', async () => {
    server.script(answer(GOOD));
    expect(await writeNarration(llm(), captions, facts, REEL_MS, silentLogger)).toEqual({ script: GOOD, source: 'llm' });
    expect(chats()).toHaveLength(1);
    const sent = JSON.stringify(chats()[0].body.messages);
    expect(sent).toContain('V60');
    expect(sent).toContain('61,000 km');
  });

  it('sends a script with a price and marketing words back once with the reasons, and takes the second', async () => {
    server.script(answer('A must see 2018 Volvo V60 for only $14,500!'), answer(GOOD));
    expect(await writeNarration(llm(), captions, facts, REEL_MS, silentLogger)).toEqual({ script: GOOD, source: 'llm' });
    expect(chats()).toHaveLength(2);
    const retry = JSON.stringify(chats()[1].body.messages);
    expect(retry).toMatch(/price|money|currency/i);
  });

  it('speaks the captions when both answers break a rule (too long, then a feature the facts lack)', async () => {
    const tooLong = Array.from({ length: narrationMaxWords(REEL_MS) + 5 }, () => 'Volvo').join(' ');
    server.script(answer(tooLong), answer('A 2018 Volvo V60 with a panoramic sunroof and a full service history.'));
    const narration = await writeNarration(llm(), captions, facts, REEL_MS, silentLogger);
    expect(narration).toEqual({ script: '2018 Volvo V60. 61,000 km. Heated seats.', source: 'captions' });
    expect(chats()).toHaveLength(2);
  });

  it('speaks the captions when the request fails', async () => {
    server.script({ status: 500 });
    expect(await writeNarration(llm(), captions, facts, REEL_MS, silentLogger)).toEqual({ script: '2018 Volvo V60. 61,000 km. Heated seats.', source: 'captions' });
  });
});
