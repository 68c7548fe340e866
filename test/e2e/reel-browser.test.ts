/**
 * The reel in the editor, in a real browser (Debian's chromium, headless, playwright-core) against
 * `lotreel serve` on loopback: a processed walkaround's draft, "Render reel" pressed, the state line
 * following the render, then the reel's <video> playing (its frames decoded, its time moving); after
 * the title changes the player says the reel is out of date. Without a Chromium it skips, except in CI.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../fixtures/walkaround.js';
import { cliEnv, runCli, type StartedCli } from '../helpers/cli.js';
import { chromiumPath, chromiumRequirement, skipsHere } from '../helpers/requirements.js';
import { scratchDir, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';
import { buildEditorPage, startEditorServer, stopServer } from './editor-page.js';

const CHROMIUM = chromiumPath();
const noBrowser = skipsHere(chromiumRequirement());
const root = scratchDir('e2e-reel-browser');
const env = cliEnv({ home: join(root, 'home'), dataDir: join(root, 'data'), modelsDir: yoloxModelDir() });

let server: StartedCli | undefined;
let baseUrl = '';
let token = '';
let draftId = '';
let browser: BrowserContext | undefined;

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(baseUrl + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return response.json() as Promise<any>;
};

beforeAll(async () => {
  if (noBrowser) return;
  requireFreshBuild();
  buildEditorPage();
  mkdirSync(join(root, 'home'), { recursive: true });
  const added = await runCli(['dealers', 'add', 'Reel Motors'], { env });
  expect(added.code, added.stderr).toBe(0);
  token = added.stdout.trim().split('\n').at(-1)!;
  ({ server, baseUrl } = await startEditorServer(env));
  const form = new FormData();
  form.set('file', new Blob([readFileSync((await buildPreset('singleCar')).video)]), 'lot.mp4');
  const { id } = (await (await fetch(`${baseUrl}/api/videos`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })).json()) as { id: string };
  for (let status = ''; status !== 'done'; await new Promise((resolve) => setTimeout(resolve, 500))) {
    status = (await call('GET', `/api/videos/${id}`)).status;
    if (status === 'failed') throw new Error('the walkaround failed to process');
  }
  draftId = (await call('GET', `/api/videos/${id}/cars`))[0].draft.id;
  browser = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
    viewport: { width: 1280, height: 900 },
  });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await stopServer(server);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(noBrowser)('the reel in the editor', () => {
  it('renders the reel on request and plays it; says when it is out of date', async () => {
    const page = browser!.pages()[0] ?? (await browser!.newPage());
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(baseUrl + '/');
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('#video-file');
    await page.goto(`${baseUrl}/#/drafts/${draftId}`);
    await page.waitForSelector('#render-reel');
    expect(await page.textContent('#reel-state')).toBe('No reel yet.');

    await page.selectOption('#reel-format', 'square');
    await page.click('#render-reel');
    await page.waitForSelector('#reel-video', { timeout: 300_000 });
    expect(await page.textContent('#reel-state')).toMatch(/^\d+ s square reel$/);
    await expect.poll(() => page.locator('#reel-video').evaluate((v) => (v as HTMLVideoElement).readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const video = page.locator('#reel-video');
    expect(await video.evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBe(1080);
    await video.evaluate((v) => (v as HTMLVideoElement).play());
    await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).currentTime), { timeout: 20_000 }).toBeGreaterThan(0.5);

    await call('PATCH', `/api/drafts/${draftId}`, { title: 'Another title for the reel' });
    await page.reload();
    // The service renders it again on its own (reel.rerenderAfterEditS later), and the editor says so.
    await expect.poll(() => page.textContent('#reel-state'), { timeout: 20_000 }).toBe('The photos or text changed since this reel: it is rendered again shortly.');
    expect(failures).toEqual([]);
  }, 420_000);
});
