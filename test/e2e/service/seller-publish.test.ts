/**
 * The seller's edits reach what is published, against the real `lotreel serve` on the embedded
 * database (PGlite): cover, order and facts in the draft, the API's JSON export and `lotreel export`;
 * hand-written text kept and flagged, rewritten by the LLM (a local OpenAI-protocol server) only when
 * asked; the feed's image links opened without a token and refused after the dealer revokes them;
 * `lotreel dealers add` and `export` while serve holds the database, and the one-line hint when
 * another process holds it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { describeRun, runCli } from '../../helpers/cli.js';
import { startOpenAiServer, type FakeOpenAiServer } from '../../helpers/openai-server.js';
import { requireFreshBuild } from '../build.js';
import { client, createInstallation, startService, waitForVideo, type Client, type Installation, type ServiceProcess } from './harness.js';

let install: Installation;
let llm: FakeOpenAiServer;
let serve: ServiceProcess | undefined;
let api: Client;
let draftId = '';
let videoId = '';
let llmEnv: Record<string, string>;
/** A command's time limit: generous, the machine running the tests may be loaded. */
const CLI_MS = 180_000;

interface FeedItem {
  title: string;
  description: string;
  make: string | null;
  image_urls: string[];
}

const json = (body: unknown) => ({ method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const post = (body: unknown = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const photoIdOf = (url: string) => /\/public\/photos\/([0-9a-f-]{36})\/image\.jpg\?expires=\d+&signature=/.exec(url)?.[1];

beforeAll(async () => {
  requireFreshBuild();
  install = await createInstallation('pglite', 'seller-publish');
  llm = await startOpenAiServer();
  // The pipeline's own LLM calls find no scripted answer (HTTP 500): its drafts are the template's.
  llmEnv = { OPENAI_BASE_URL: llm.baseUrl, OPENAI_API_KEY: 'sk-test', LOTREEL_LLM_HTTP_RETRIES: '0', LOTREEL_LLM_TIMEOUT_MS: '5000' };
  const first = await runCli(['dealers', 'add', 'Dealer A'], { env: install.env(), timeoutMs: CLI_MS });
  expect(first.code, describeRun(first)).toBe(0);
  const tokenA = first.stdout.trimEnd().split('\n').at(-1)!;
  serve = await startService(install, ['serve'], llmEnv);
  api = client(serve.url, tokenA);
  const video = await buildPreset('singleCar');
  const uploaded = await api.uploadMultipart(readFileSync(video.video), 'singleCar.mp4');
  expect(uploaded.status).toBe(202);
  videoId = uploaded.body.id;
  const done = await waitForVideo(api, videoId, (s) => s.status === 'done' || s.status === 'failed');
  expect(done.status, done.error ?? '').toBe('done');
  const cars = (await api.json(`/api/videos/${videoId}/cars`)).body as Array<{ draft: { id: string } }>;
  draftId = cars[0]!.draft.id;
}, 600_000);

afterAll(async () => {
  if (serve && serve.proc.child.exitCode === null) await serve.stop();
  await llm?.close();
  await install?.cleanup();
});

describe('while serve holds the embedded database', () => {
  it('`dealers add` and `dealers list` go through it, and the new token works', async () => {
    expect(existsSync(join(install.dataDir, 'serve.json'))).toBe(true);
    const added = await runCli(['dealers', 'add', 'Dealer B'], { env: install.env(), timeoutMs: CLI_MS });
    expect(added.code, describeRun(added)).toBe(0);
    const token = added.stdout.trimEnd().split('\n').at(-1)!;
    expect(token).toMatch(/^lr_[A-Za-z0-9_-]{43}$/);
    expect((await client(serve!.url, token).json('/api/videos')).status).toBe(200);
    const listed = await runCli(['dealers', 'list', '--json'], { env: install.env(), timeoutMs: CLI_MS });
    expect(listed.code, describeRun(listed)).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((d) => d.name)).toEqual(['Dealer A', 'Dealer B']);
  });

  it('the admin routes refuse a caller without serve\'s secret', async () => {
    const answer = await api.fetch('/api/admin/dealers', post({ name: 'Intruder' }));
    expect(answer.status).toBe(401);
  });
});

describe("the seller's edits reach the draft, the feed and the exports", () => {
  it('cover change, reorder and fact edits: the seller\'s cover first, then their order; text from their facts', async () => {
    const before = (await api.json(`/api/drafts/${draftId}/editor`)).body;
    const ids: string[] = before.photos.map((p: { id: string }) => p.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const cover = ids.find((_, i) => !before.photos[i].cover && i > 0)!;
    expect((await api.fetch(`/api/photos/${cover}/cover`, { method: 'POST' })).status).toBe(200);
    const order = [...ids].reverse();
    expect((await api.fetch(`/api/drafts/${draftId}/photo-order`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ photoIds: order }) })).status).toBe(200);
    const edited = await api.json(`/api/drafts/${draftId}/fields`, json({ fields: { make: 'Opel', model: 'Astra', year: 2015 } }));
    expect(edited.status).toBe(200);
    const published = [cover, ...order.filter((id) => id !== cover)];

    // The machine's text follows the seller's facts.
    expect(edited.body.fields.title.value).toMatch(/2015 Opel Astra$/);
    expect(edited.body.fields.description.value).toContain('2015 Opel Astra.');
    expect(edited.body.fields.description.value).not.toContain('to be confirmed');
    expect(edited.body.textStale).toBe(false);

    const draft = (await api.json(`/api/drafts/${draftId}`)).body;
    expect(draft.photos.map((p: { id: string }) => p.id)).toEqual(published);
    expect(draft.photos[0].cover).toBe(true);
    expect(draft.title).toBe(edited.body.fields.title.value);
    expect(draft.textStale).toBe(false);

    const feed = (await api.json(`/api/videos/${videoId}/export?format=json`)).body as FeedItem[];
    expect(feed[0]!.image_urls.map(photoIdOf)).toEqual(published);
    expect(feed[0]).toMatchObject({ title: draft.title, description: draft.description, make: 'Opel' });

    // The command-line export goes through serve, with serve's address (the right port).
    const exported = await runCli(['export', '--dealer', 'Dealer A', '--format', 'json'], { env: install.env(), timeoutMs: CLI_MS });
    expect(exported.code, describeRun(exported)).toBe(0);
    const cli = JSON.parse(exported.stdout) as FeedItem[];
    expect(cli[0]!.image_urls.map(photoIdOf)).toEqual(published);
    expect(cli[0]!.image_urls.every((url) => url.startsWith(`${serve!.url}/public/photos/`))).toBe(true);
    expect(cli[0]!.title).toBe(draft.title);
    const csv = await runCli(['export', '--dealer', 'Dealer A'], { env: install.env(), timeoutMs: CLI_MS });
    expect(csv.code, describeRun(csv)).toBe(0);
    const [header, row] = csv.stdout.split('\r\n');
    const column = header!.split(',').indexOf('image[0].url');
    expect(photoIdOf(row!.split(',')[column]!)).toBe(cover);
  });

  it('hand-written text stays when a fact changes, is flagged stale, and is rewritten only when asked (LLM)', async () => {
    await api.json(`/api/drafts/${draftId}/fields`, json({ fields: { title: 'My own title' } }));
    const changed = (await api.json(`/api/drafts/${draftId}/fields`, json({ fields: { mileage: 50000, colour: 'blue' } }))).body;
    expect(changed.fields.title.value).toBe('My own title');
    expect(changed.fields.title.machine.value).toMatch(/2015 Opel Astra$/);
    expect(changed.fields.description.value).toContain('Mileage: 50000 mi.');
    expect(changed.fields.description.value).toContain('Exterior colour: blue.');
    expect(changed).toMatchObject({ textStale: true, handWritten: ['title'] });
    expect((await api.json(`/api/drafts/${draftId}`)).body.textStale).toBe(true);

    const refused = await api.json(`/api/drafts/${draftId}/text`, post());
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TEXT_HAND_WRITTEN');
    expect((await api.json(`/api/drafts/${draftId}`)).body.title).toBe('My own title');

    llm.reset();
    const written = { title: '2015 Opel Astra', description: 'A blue 2015 Opel Astra with 50000 mi, filmed all around.', highlights: [] };
    llm.script({ content: JSON.stringify(written) });
    const rewritten = await api.json(`/api/drafts/${draftId}/text`, post({ replaceHandWritten: true }));
    expect(rewritten.status, JSON.stringify(rewritten.body)).toBe(200);
    const attributes = (await api.json(`/api/drafts/${draftId}`)).body.attributes;
    expect(attributes, 'the LLM answer keeps to the listing rules').toMatchObject({ textSource: 'llm', textViolations: [] });
    expect(rewritten.body.fields.title).toMatchObject({ value: written.title, source: 'generated' });
    expect(rewritten.body.fields.description.value).toBe(written.description);
    expect(rewritten.body).toMatchObject({ textStale: false, handWritten: [] });
    // The LLM was given the seller's facts (a typed mileage in the market's unit: us, miles).
    const sent = JSON.stringify(llm.requests.at(-1)!.body.messages);
    expect(sent).toContain('Opel');
    expect(sent).toContain('50000 mi');
    const feed = (await api.json(`/api/videos/${videoId}/export?format=json`)).body as FeedItem[];
    expect(feed[0]!.title).toBe(written.title);
  });
});

describe('published image links', () => {
  it('a marketplace fetches every image of the feed without a token, and is refused after the dealer revokes', async () => {
    const feed = (await api.json(`/api/videos/${videoId}/export?format=json`)).body as FeedItem[];
    const urls = feed.flatMap((item) => item.image_urls);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) {
      const answer = await fetch(url);
      expect(answer.status, url).toBe(200);
      expect(answer.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await answer.arrayBuffer()).subarray(0, 2).toString('hex')).toBe('ffd8');
    }
    // An altered link is refused.
    expect((await fetch(urls[0]!.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 3600}`))).status).toBe(403);

    expect((await api.fetch('/api/image-links/revoke', { method: 'POST' })).status).toBe(204);
    for (const url of urls) expect((await fetch(url)).status, url).toBe(403);
    const fresh = ((await api.json(`/api/videos/${videoId}/export?format=json`)).body as FeedItem[]).flatMap((item) => item.image_urls);
    expect(fresh).not.toEqual(urls);
    expect((await fetch(fresh[0]!)).status).toBe(200);
  });

  it('last as many days as the dealer sets', async () => {
    const set = await api.json('/api/image-links', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days: 2 }) });
    expect(set.body).toEqual({ days: 2, own: true });
    const url = ((await api.json(`/api/videos/${videoId}/export?format=json`)).body as FeedItem[])[0]!.image_urls[0]!;
    const expires = Number(new URL(url).searchParams.get('expires'));
    expect(expires * 1000 - Date.now()).toBeGreaterThan(2 * 86_400_000 - 60_000);
    expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(2 * 86_400_000 + 3_600_000);
  });
});

describe('when another process holds the embedded database', () => {
  it('`dealers add` prints a one-line hint; once serve is gone it works directly', async () => {
    expect(await serve!.stop()).toBe(0);
    expect(existsSync(join(install.dataDir, 'serve.json'))).toBe(false);
    // A clean log: the upload named as uploaded (not the stored `original`), no listener leak after a job.
    const log = serve!.output();
    expect(log).toMatch(/"file":"singleCar\.mp4"/);
    expect(log).not.toMatch(/"file":"original"/);
    expect(log).not.toMatch(/MaxListenersExceededWarning/);
    const worker = await startService(install, ['worker']);
    try {
      const refused = await runCli(['dealers', 'add', 'Dealer C'], { env: install.env(), timeoutMs: CLI_MS });
      expect(refused.code, describeRun(refused)).toBe(4);
      const lines = refused.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/in use by another lotreel process \(pid \d+\): stop it .*lotreel serve.*DATABASE_URL/);
    } finally {
      await worker.stop();
    }
    const added = await runCli(['dealers', 'add', 'Dealer C'], { env: install.env(), timeoutMs: CLI_MS });
    expect(added.code, describeRun(added)).toBe(0);
  });
});
