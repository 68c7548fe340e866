import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadConfig, type LlmConfig } from '../../../src/config/config.js';
import { createLlmClient, type LlmClient } from '../../../src/llm/client.js';
import { writeListingText } from '../../../src/listing/listing-text.js';
import { createLogger } from '../../../src/core/log.js';
import { resolveAttributes, type Evidence } from '../../../src/evidence/evidence.js';
import { factsForPrompt, listingFacts } from '../../../src/listing/listing-facts.js';
import { textOutcomeFromAttributes } from '../../../src/listing/listing-rules.js';
import { startOpenAiServer, type FakeOpenAiServer } from '../../helpers/openai-server.js';

const settings = DEFAULT_SETTINGS.listingText;
const ev = (attribute: Evidence['attribute'], value: string | number): Evidence => ({ attribute, value, source: 'vin', confidence: 1 });
const facts = listingFacts({
  attributes: resolveAttributes([ev('make', 'Toyota'), ev('model', 'RAV4'), ev('year', 2018), ev('trim', 'XLE'), ev('drive', 'AWD')]),
  colour: 'silver',
  bodyType: 'suv',
  photoCount: 10,
  videoSeconds: 21.2,
  viewsSeen: ['front', 'side'],
});

const answer = (text: { title: string; description: string; highlights: string[] }) => JSON.stringify(text);
const goodText = {
  title: 'Silver 2018 Toyota RAV4 XLE',
  description: 'A silver 2018 Toyota RAV4 XLE SUV with all-wheel drive. 10 photos from the front and side, and a 21-second walkaround video.',
  highlights: ['XLE trim', 'All-wheel drive', '10 photos'],
};
const withPrice = { ...goodText, description: goodText.description + ' Yours for $18,900 or $299 per month.' };
const wontLast = { ...goodText, description: goodText.description + " Won't last long!" };
const sunroof = { ...goodText, highlights: [...goodText.highlights, 'Panoramic sunroof'] };

let server: FakeOpenAiServer;
let logLines: string[];
const log = () => createLogger('info', (line) => logLines.push(line));

function llmConfig(overrides: Record<string, string> = {}): LlmConfig {
  const config = loadConfig({
    LOTREEL_DATA_DIR: '/tmp/unused',
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: server.baseUrl,
    LOTREEL_LLM_MODEL: 'test-model',
    LOTREEL_LLM_TIMEOUT_MS: '400',
    LOTREEL_LLM_HTTP_RETRIES: '0',
    ...overrides,
  });
  return config.llm!;
}
const client = (overrides: Record<string, string> = {}): LlmClient => createLlmClient(llmConfig(overrides), settings.llmMaxConsecutiveFailures, log())!;
const write = (llm: LlmClient | null) => writeListingText(facts, { llm, settings, log: log() });

beforeAll(async () => {
  server = await startOpenAiServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.reset();
  logLines = [];
});
logLines = [];

describe('writeListingText against a server speaking the OpenAI chat API', () => {
  it('uses a good answer and sends the facts, the model and the JSON schema, nothing else', async () => {
    server.script({ content: answer(goodText) });
    const draft = await write(client());
    expect(draft.title).toBe(goodText.title);
    expect(draft.description).toBe(goodText.description);
    expect(draft.status).toBe('ready');
    expect(draft.attributes).toMatchObject({ textSource: 'llm', highlights: goodText.highlights, textViolations: [], make: 'Toyota', model: 'RAV4', year: 2018 });
    expect(draft.text).toEqual({ source: 'llm', attempts: 1, violations: [], fallback: null });

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer sk-test-key');
    expect(request.body.model).toBe('test-model');
    expect(request.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'listing_text', strict: true, schema: { type: 'object', required: ['title', 'description', 'highlights'], additionalProperties: false } },
    });
    expect(request.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    // The car's part of the prompt is exactly the facts.
    expect(JSON.parse(request.body.messages[1].content as string)).toEqual({ facts: factsForPrompt(facts) });
    expect(JSON.stringify(request.body.messages)).not.toMatch(/\$\d|sources/);
  });

  it('catches a price, asks once more with the reasons and uses the corrected answer', async () => {
    server.script({ content: answer(withPrice) }, { content: answer(goodText) });
    const draft = await write(client());
    expect(draft.attributes.textSource).toBe('llm');
    expect(draft.description).toBe(goodText.description);
    expect(draft.text?.attempts).toBe(2);
    // "$" and "per month"; 18,900 and 299 are not in the facts either.
    expect(draft.attributes.textViolations).toEqual(['PRICE_OR_FINANCE', 'PRICE_OR_FINANCE', 'UNSUPPORTED_NUMBER', 'UNSUPPORTED_NUMBER']);
    expect(textOutcomeFromAttributes(draft.attributes)).toMatchObject({ source: 'llm', attempts: 2, fallback: null, violations: { length: 4 } });
    const retry = server.requests[1].body.messages;
    expect(retry.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry[2].content).toBe(answer(withPrice));
    expect(retry[3].content).toMatch(/"\$".*PRICE_OR_FINANCE/);
    expect(retry[3].content).toContain('"per month"');
  });

  it.each([
    ['"won\'t last long!"', wontLast, 'MARKETING_PHRASE'],
    ['an invented sunroof', sunroof, 'UNSUPPORTED_FEATURE'],
    ['a price', withPrice, 'PRICE_OR_FINANCE'],
  ])('falls back to the template when both answers have %s', async (_name, bad, code) => {
    server.script({ content: answer(bad) }, { content: answer(bad) });
    const draft = await write(client());
    expect(server.requests).toHaveLength(2);
    expect(draft.attributes.textSource).toBe('template');
    expect(draft.title).toBe('Silver 2018 Toyota RAV4');
    expect(draft.description).toContain('Exterior colour: silver.');
    expect(draft.text?.fallback).toBe('rules');
    expect(draft.text?.attempts).toBe(2);
    expect(draft.attributes.textViolations).toContain(code);
    // Caught in each answer: the first, then the second after the reasons were sent.
    expect(new Set(draft.text!.violations.filter((v) => v.code === code).map((v) => v.match)).size).toBeGreaterThan(0);
    expect(server.requests[1].body.messages[3].content).toContain(code);
    expect(logLines.some((l) => JSON.parse(l).level === 'warn' && l.includes(code))).toBe(true);
  });

  it('treats malformed JSON as a broken rule: retried, then the template', async () => {
    server.script({ content: '{"title": "Silver Toyota", "description": ' }, { content: '{"title": "Silver Toyota", "text": "A silver Toyota."}' });
    const draft = await write(client());
    expect(draft.text).toMatchObject({ source: 'template', attempts: 2, fallback: 'malformed' });
    expect(draft.text!.violations.map((v) => v.code)).toEqual(['MALFORMED_ANSWER', 'MALFORMED_ANSWER']);
    expect(server.requests[1].body.messages[3].content).toContain('not valid JSON');
    expect(draft.text!.violations[1].reason).toMatch(/description.*highlights|highlights.*description/s);
  });

  it('reads JSON wrapped in a code fence, as plain-JSON servers send it', async () => {
    server.script({ content: '```json\n' + answer(goodText) + '\n```' });
    expect((await write(client())).attributes.textSource).toBe('llm');
  });

  it('falls back at once on an HTTP 500, with a warning', async () => {
    server.script({ status: 500, message: 'upstream exploded' });
    const draft = await write(client());
    expect(server.requests).toHaveLength(1);
    expect(draft.text).toEqual({ source: 'template', attempts: 0, violations: [], fallback: 'http_error' });
    const warning = logLines.map((l) => JSON.parse(l)).find((l) => l.level === 'warn');
    expect(warning).toMatchObject({ reason: 'http_error', status: 500 });
  });

  it('falls back when the answer comes after the timeout', async () => {
    server.script({ content: answer(goodText), delayMs: 3000 });
    const started = performance.now();
    const draft = await write(client());
    expect(performance.now() - started).toBeLessThan(2500);
    expect(draft.text?.fallback).toBe('timeout');
    expect(draft.attributes.textSource).toBe('template');
  });

  it('keeps the first rejected answer when the retry times out', async () => {
    server.script({ content: answer(sunroof) }, { content: answer(goodText), delayMs: 3000 });
    const draft = await write(client());
    expect(draft.text).toMatchObject({ source: 'template', attempts: 1, fallback: 'timeout' });
    expect(draft.text!.violations.map((v) => v.code)).toEqual(['UNSUPPORTED_FEATURE']);
  });

  it('retries a 500 inside the client when HTTP retries are allowed', async () => {
    server.script({ status: 503 }, { content: answer(goodText) });
    const draft = await write(client({ LOTREEL_LLM_HTTP_RETRIES: '1' }));
    expect(server.requests).toHaveLength(2);
    expect(draft.attributes.textSource).toBe('llm');
  });

  it('stops asking a server that failed twice in a row, for the rest of the run', async () => {
    server.script({ status: 500 }, { status: 500 }, { content: answer(goodText) });
    const llm = client();
    expect((await write(llm)).text?.fallback).toBe('http_error');
    expect((await write(llm)).text?.fallback).toBe('http_error');
    expect((await write(llm)).text?.fallback).toBe('unavailable');
    expect(server.requests).toHaveLength(2);
  });

  it('asks again without response_format when a server refuses structured output', async () => {
    const refuseSchema = (request: { body: { response_format?: { type: string } } }) =>
      request.body.response_format?.type === 'json_schema' ? { status: 400, message: 'response_format json_schema is not supported' } : { content: 'Sure!\n' + answer(goodText) };
    server.script(refuseSchema, refuseSchema, refuseSchema);
    const llm = client();
    expect((await write(llm)).attributes.textSource).toBe('llm');
    expect(server.requests.map((r) => r.body.response_format?.type ?? 'none')).toEqual(['json_schema', 'none']);
    expect((await write(llm)).attributes.textSource).toBe('llm');
    expect(server.requests[2].body.response_format).toBeUndefined();
  });

  it('keeps structured output when the 400 was not about it', async () => {
    server.script({ status: 400, message: 'context too long' }, { status: 400, message: 'context too long' }, { content: answer(goodText) });
    const llm = client();
    expect((await write(llm)).text).toMatchObject({ source: 'template', fallback: 'http_error' });
    await write(llm);
    expect(server.requests.map((r) => r.body.response_format?.type ?? 'none')).toEqual(['json_schema', 'none', 'json_schema']);
  });

  it('asks for a JSON object when configured for servers without JSON schemas', async () => {
    server.script({ content: answer(goodText) });
    await write(client({ LOTREEL_LLM_RESPONSE_FORMAT: 'json_object' }));
    expect(server.requests[0].body.response_format).toEqual({ type: 'json_object' });
  });

  it('falls back when nothing listens at the address', async () => {
    const draft = await write(client({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }));
    expect(draft.text?.fallback).toBe('http_error');
  });

  it('writes the template without any LLM configured', async () => {
    const draft = await write(createLlmClient(loadConfig({ LOTREEL_DATA_DIR: '/tmp/unused' }).llm, 2, log()));
    expect(draft.text).toEqual({ source: 'template', attempts: 0, violations: [], fallback: 'not_configured' });
    expect(draft.title).toBe('Silver 2018 Toyota RAV4');
    expect(server.requests).toHaveLength(0);
  });

  it('stops when the caller aborts instead of writing a template', async () => {
    server.script({ content: answer(goodText), delayMs: 3000 });
    const controller = new AbortController();
    const writing = writeListingText(facts, { llm: client({ LOTREEL_LLM_TIMEOUT_MS: '10000' }), settings, log: log(), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(writing).rejects.toThrow();
  });
});

describe('LLM configuration', () => {
  it('is off without a key or a server address, and with LOTREEL_LLM=off', () => {
    expect(loadConfig({ HOME: '/tmp' }).llm).toBeNull();
    expect(loadConfig({ HOME: '/tmp', OPENAI_API_KEY: 'k', LOTREEL_LLM: 'off' }).llm).toBeNull();
  });

  it('takes a local server without a key, and defaults that suit OpenAI', () => {
    expect(loadConfig({ HOME: '/tmp', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', LOTREEL_LLM_MODEL: 'llama3.2' }).llm).toEqual({
      apiKey: 'none',
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3.2',
      timeoutMs: 30000,
      httpRetries: 1,
      responseFormat: 'json_schema',
      vision: false,
    });
    expect(loadConfig({ HOME: '/tmp', OPENAI_API_KEY: 'k', LOTREEL_LLM_VISION: '1' }).llm).toMatchObject({ baseUrl: undefined, model: 'gpt-4o-mini', vision: true });
  });

  it('reports bad values together, without the key', () => {
    expect(() => loadConfig({ HOME: '/tmp', OPENAI_API_KEY: 'sk-secret', OPENAI_BASE_URL: 'not a url', LOTREEL_LLM_TIMEOUT_MS: '-1' })).toThrow(
      /OPENAI_BASE_URL.*LOTREEL_LLM_TIMEOUT_MS/,
    );
    expect(() => loadConfig({ HOME: '/tmp', OPENAI_API_KEY: 'sk-secret', OPENAI_BASE_URL: 'not a url' })).not.toThrow(/sk-secret/);
  });
});
