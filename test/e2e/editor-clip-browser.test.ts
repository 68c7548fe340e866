/**
 * A draft opened while its clip is still being made shows the clip once it is stored, without being
 * opened again: a real browser (Debian's chromium, headless) against `lotreel serve` on loopback, the
 * embedded database, a real three-car upload with plates blurred. The clips are made slow on purpose
 * (plates searched on 10 frames a second) so the first car's draft is out well before its clip.
 * Without a Chromium it skips (the global setup says so once), except in CI where it fails.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../fixtures/walkaround.js';
import { chromiumPath, chromiumRequirement, skipsHere } from '../helpers/requirements.js';
import { requireFreshBuild } from './build.js';
import { buildEditorPage } from './editor-page.js';
import { client, createInstallation, readEvents, startService, type Installation, type ServiceProcess, type SseEvent } from './service/harness.js';

const CHROMIUM = chromiumPath();
const noBrowser = skipsHere(chromiumRequirement());

let install: Installation | undefined;
let service: ServiceProcess | undefined;
let browser: BrowserContext | undefined;
let token = '';

beforeAll(async () => {
  if (noBrowser) return;
  requireFreshBuild();
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install chromium, or set LOTREEL_CHROMIUM)`);
  buildEditorPage();
  install = await createInstallation('pglite', 'editor-clip');
  token = await install.addDealer('Clip Motors'); // before serve holds the embedded database
  const settings = join(install.root, 'slow-clips.json');
  writeFileSync(settings, JSON.stringify({ plates: { clipSampleFps: 10 } }));
  service = await startService(install, ['serve'], { LOTREEL_CONFIG: settings });
  browser = await chromium.launchPersistentContext(join(install.root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await install?.cleanup();
});

const clipButton = (page: Page) => page.locator('#play-clip');

describe.skipIf(noBrowser)('the editor and a clip still being made', () => {
  it('shows the clip when it is stored, without opening the draft again', async () => {
    const page = browser!.pages()[0] ?? (await browser!.newPage());
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(service!.url + '/');
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('#video-file');

    const api = client(service!.url, token);
    const upload = await api.uploadMultipart(await readFile((await buildPreset('hardCuts')).video), 'three cars.mp4');
    expect(upload.status).toBe(202);
    let opened: { draftId: string; carId: string; before: string } | undefined;
    let afterClipEvent: { text: string; enabled: boolean } | undefined;
    const stream = await readEvents(api, `/api/videos/${upload.body.id}/events`, 600_000, async (e: SseEvent) => {
      if (e.event === 'car' && !opened) {
        // The first car's draft, opened at once, while its clip is being made.
        const draftId: string = e.data.car.draft.id;
        await page.goto(`${service!.url}/#/drafts/${draftId}`);
        await page.waitForSelector('#photos .thumb');
        opened = { draftId, carId: e.data.car.id, before: (await clipButton(page).textContent()) ?? '' };
      }
      if (e.event === 'clip' && opened && e.data.carId === opened.carId) {
        // The page hears the same event: the button turns to play, no reload.
        await page.waitForFunction(() => document.querySelector('#play-clip')?.textContent === '▶ Play clip', undefined, { timeout: 20_000 });
        afterClipEvent = { text: (await clipButton(page).textContent()) ?? '', enabled: await clipButton(page).isEnabled() };
      }
    });
    expect(stream.status).toBe(200);
    expect(opened?.before, 'the draft was opened before its clip was stored').toBe('Clip being made…');
    expect(afterClipEvent).toEqual({ text: '▶ Play clip', enabled: true });
    expect(stream.events.at(-1)?.event).toBe('done');

    // It plays.
    await clipButton(page).click();
    await page.waitForSelector('#clip-video');
    expect(await page.locator('#clip-video').evaluate((v) => (v as HTMLVideoElement).src.startsWith('blob:'))).toBe(true);
    expect(failures).toEqual([]);
  }, 600_000);
});
