/**
 * The whole pipeline with an LLM configured: a real video (car01, a white Ford Kuga on a turntable)
 * processed with OPENAI_BASE_URL pointing at a loopback server speaking the OpenAI chat API. The
 * drafts' text comes from the server only when it passes the rules; the LLM's look at the photos is
 * recorded as an opinion and never becomes the car's make; a dead server leaves the templates.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseSettings, type Config } from '../../../src/config/config.js';
import { createLogger } from '../../../src/core/log.js';
import { loadVideoResult, openDatabase, type Database } from '../../../src/store/index.js';
import { startOpenAiServer, type FakeOpenAiServer, type ReceivedRequest } from '../../helpers/openai-server.js';
import { processVideo, testConfig } from '../../helpers/pipeline.js';
import { epflCar, scratchDir } from '../../helpers/shared.js';

const root = scratchDir('pipeline-llm');
let server: FakeOpenAiServer;
let db: Database;
let config: Config;

/** Answers like a careful model: the make/model look, or a text made only of the facts it was sent. */
function carefulModel(request: ReceivedRequest) {
  if (request.body.response_format?.json_schema?.name === 'make_model_opinion') {
    return { content: JSON.stringify({ make: 'Ford', model: 'Kuga', confidence: 0.9, agrees: null, reason: 'Kuga lettering on the plate' }) };
  }
  const { facts } = JSON.parse(request.body.messages[1].content as string);
  return {
    content: JSON.stringify({
      title: `${facts.colour} car`,
      description: `A ${facts.colour} car, shown in ${facts.photoCount} photos and a ${facts.videoSeconds}-second walkaround video.`,
      highlights: [`${facts.photoCount} photos`],
    }),
  };
}

const llmEnv = (baseUrl: string) => loadConfig({ HOME: root, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: baseUrl, LOTREEL_LLM_VISION: '1', LOTREEL_LLM_TIMEOUT_MS: '2000', LOTREEL_LLM_HTTP_RETRIES: '0' }).llm;

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  server = await startOpenAiServer();
  config = testConfig(join(root, 'data'));
  db = await openDatabase(config);
});
afterAll(async () => {
  await db?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const processCar01 = (llm: Config['llm'], name: string, logLines: string[] = []) =>
  processVideo({
    file: epflCar(1),
    outDir: join(root, name),
    device: 'cpu',
    settings: parseSettings({ photos: { maxPhotos: 6 } }),
    config: { ...config, llm },
    log: createLogger('warn', (line) => logLines.push(line)),
    database: db,
  });

describe('processVideo with an LLM', () => {
  it('stores the LLM text that passed the rules, and its make/model look only as an opinion', async () => {
    server.script(...Array.from({ length: 10 }, () => carefulModel));
    const result = await processCar01(llmEnv(server.baseUrl), 'good');
    expect(result.cars).toHaveLength(1);
    const car = result.cars[0];

    const vision = server.requests.filter((r) => r.body.response_format?.json_schema?.name === 'make_model_opinion');
    const text = server.requests.filter((r) => r.body.response_format?.json_schema?.name === 'listing_text');
    expect(vision).toHaveLength(1);
    expect(text).toHaveLength(1);
    const images = (vision[0].body.messages[1].content as { type: string; image_url?: { url: string } }[]).filter((p) => p.type === 'image_url');
    expect(images).toHaveLength(3);
    const cover = await sharp(Buffer.from(images[0].image_url!.url.replace(/^data:image\/jpeg;base64,/, ''), 'base64')).metadata();
    expect(cover.format).toBe('jpeg');
    expect(Math.max(cover.width!, cover.height!)).toBeLessThanOrEqual(768);

    const sent = JSON.parse(text[0].body.messages[1].content as string).facts;
    expect(sent.photoCount).toBe(car.photos.length);
    expect(sent.make).toBeUndefined(); // the LLM's own guess is not a fact

    expect(car.draft.title).toBe(`${sent.colour} car`);
    const stored = await loadVideoResult(db, result.videoId);
    const draft = stored!.cars[0].draft!;
    expect(draft.attributes).toMatchObject({ textSource: 'llm', make: null, llmMakeModel: 'Ford Kuga (0.45)', textViolations: [] });
    expect(draft.status).toBe('needs_review');
  });

  it('keeps the template drafts, with a warning, when the server is gone', async () => {
    const logLines: string[] = [];
    const result = await processCar01(llmEnv('http://127.0.0.1:9/v1'), 'dead', logLines);
    const stored = await loadVideoResult(db, result.videoId);
    expect(stored!.cars[0].draft!.attributes).toMatchObject({ textSource: 'template' });
    expect(result.cars[0].draft.description).toContain('walkaround video');
    expect(logLines.some((l) => JSON.parse(l).level === 'warn')).toBe(true);
  });
});
