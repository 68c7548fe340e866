/**
 * The seller's editor in a real browser (Debian's chromium, headless, driven by playwright-core)
 * against `lotreel serve` on loopback: sign in, upload a walkaround, wait for its draft with the live
 * progress, crop and rotate a photo, set another cover, change the model, reorder by drag and drop,
 * take another frame from the filmstrip, reload and find every change kept (the tools showing a photo's
 * enhance and straightening); then the feedback events in the database and `lotreel eval --feedback`.
 * Screenshots are kept under .lotreel-test/ (the path is printed). Without a Chromium it skips (the
 * global setup says so once), except in CI where it fails.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset, type BuiltWalkaround } from '../../fixtures/walkaround.js';
import { openDatabase } from '../../src/store/database.js';
import { cliEnv, runCli, type StartedCli } from '../helpers/cli.js';
import { chromiumPath, chromiumRequirement, skipsHere } from '../helpers/requirements.js';
import { projectRoot, scratchDir, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';
import { buildEditorPage, drawRegion, startEditorServer, stopServer } from './editor-page.js';

const CHROMIUM = chromiumPath();
const noBrowser = skipsHere(chromiumRequirement());
const root = scratchDir('e2e-editor');
const artefacts = join(projectRoot, '.lotreel-test', `editor-screens-${Date.now()}`);
const dataDir = join(root, 'data');
const env = cliEnv({ home: join(root, 'home'), dataDir, modelsDir: yoloxModelDir() });

let video: BuiltWalkaround;
let server: StartedCli | undefined;
let baseUrl = '';
let dealerToken = '';
let browser: BrowserContext | undefined;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (noBrowser) return;
  requireFreshBuild();
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install chromium, or set LOTREEL_CHROMIUM)`);
  // The page is built by Vite into dist/web, which `lotreel serve` serves at /.
  buildEditorPage();
  mkdirSync(join(root, 'home'), { recursive: true });
  mkdirSync(artefacts, { recursive: true });
  video = await buildPreset('singleCar');
  const added = await runCli(['dealers', 'add', 'Editor Motors'], { env });
  expect(added.code, added.stderr).toBe(0);
  dealerToken = added.stdout.trim().split('\n').at(-1)!;
  ({ server, baseUrl } = await startEditorServer(env));
  browser = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  console.log(`editor e2e screenshots: ${artefacts}`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stopServer(server);
  rmSync(root, { recursive: true, force: true });
});

interface EditorPhotoJson {
  id: string;
  cover: boolean;
  edits: Array<{ op: string }>;
  displayed: { width: number; height: number };
  original: { width: number; height: number };
}

describe.skipIf(noBrowser)('the editor page', () => {
  it('signs in, uploads, edits a draft, and keeps every change over a reload', async () => {
    const page = browser!.pages()[0] ?? (await browser!.newPage());
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));

    await page.goto(baseUrl + '/');
    await page.fill('#token', dealerToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('#video-file');

    await page.setInputFiles('#video-file', video.video);
    await page.click('form.upload button[type=submit]');
    // Live progress: the status line follows the server's events until the video is done.
    await page.waitForSelector('.video .status.done', { timeout: 240_000 });
    await shot(page, '1-videos');

    await page.click('.video a');
    await page.waitForSelector('.car .title');
    await shot(page, '2-cars');
    await page.click('.car');
    await page.waitForSelector('#photos .thumb');
    const draftId = /#\/drafts\/([0-9a-f-]+)/.exec(page.url())![1]!;
    const photoCount = await page.locator('#photos .thumb').count();
    expect(photoCount).toBeGreaterThanOrEqual(2);

    // The second photo: turned a quarter clockwise, then cropped with the widget, then made the cover.
    const second = page.locator('#photos .thumb').nth(1);
    const photoId = (await second.getAttribute('data-photo-id'))!;
    await second.click();
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/photos/${photoId}/edits`) && r.request().method() === 'POST'), page.click('#rotate-right')]);
    await page.click('#crop');
    await page.waitForSelector('#region-viewport[data-ready=true]');
    // 80 % of the turned picture, drawn with the mouse from 10 % to 90 % of each side.
    const turned = await page.evaluate(async ([id, token]) => (await (await fetch(`/api/photos/${id}/edits`, { headers: { authorization: `Bearer ${token}` } })).json()).straightened, [photoId, dealerToken] as const);
    const { width: tw, height: th } = turned as { width: number; height: number };
    await drawRegion(page, { x1: tw * 0.1, y1: th * 0.1, x2: tw * 0.9, y2: th * 0.9 }, turned as { width: number; height: number });
    await shot(page, '3-crop-widget');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/photos/${photoId}/edits`) && r.request().method() === 'POST'), page.click('#apply-region')]);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/photos/${photoId}/cover`)), page.click('#set-cover')]);

    await page.fill('#field-model', 'Kuga');
    await page.fill('#field-make', 'Ford');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/drafts/${draftId}/fields`)), page.click('#save-fields')]);
    await shot(page, '4-edited');

    // Drag the first photo onto the fourth place; then show another moment of the video in the third.
    const order = await page.locator('#photos .thumb').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.photoId!));
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/drafts/${draftId}/photo-order`)),
      page.dragAndDrop('#photos .thumb >> nth=0', '#photos .thumb >> nth=3'),
    ]);
    const expectedOrder = [...order.slice(1, 4), order[0]!, ...order.slice(4)];
    await expect.poll(() => page.locator('#photos .thumb').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.photoId!))).toEqual(expectedOrder);
    const swappedId = expectedOrder[2]!;
    await page.click(`#photos .thumb[data-photo-id="${swappedId}"]`);
    await page.click('#pick-frame');
    await page.waitForSelector('#filmstrip .frame');
    await shot(page, '4b-filmstrip');
    const frame = page.locator('#filmstrip .frame').nth(4);
    const chosenMs = Number(await frame.getAttribute('data-timestamp-ms'));
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/photos/${swappedId}/frame`)), frame.click()]);

    // Everything is kept: reload the page and look again.
    await page.reload();
    await page.waitForSelector('#photos .thumb');
    const thumb = page.locator(`#photos .thumb[data-photo-id="${photoId}"]`);
    await expect.poll(() => thumb.getAttribute('class')).toContain('is-cover');
    expect(await thumb.locator('.badge.edited').count()).toBe(1);
    expect(await page.inputValue('#field-model')).toBe('Kuga');
    expect(await page.locator('label[for=field-model] .source').textContent()).toBe('you');
    await thumb.click();
    const img = page.locator('.preview img.edited-photo');
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const natural = await img.evaluate((el) => ({ width: (el as HTMLImageElement).naturalWidth, height: (el as HTMLImageElement).naturalHeight }));
    await shot(page, '5-after-reload');

    // The API agrees, and the rendered photo is the rotated crop: portrait, 80 % of the turned sides.
    const draft = await page.evaluate(
      async ([id, token]) => (await fetch(`/api/drafts/${id}/editor`, { headers: { authorization: `Bearer ${token}` } })).json(),
      [draftId, dealerToken] as const,
    );
    const photo = (draft as { photos: EditorPhotoJson[] }).photos.find((p) => p.id === photoId)!;
    expect(photo.cover).toBe(true);
    expect(photo.edits.map((e) => e.op)).toEqual(['rotate', 'crop']);
    expect(photo.displayed.height).toBeGreaterThan(photo.displayed.width);
    expect(photo.displayed.width).toBeGreaterThan(photo.original.height * 0.7);
    expect(photo.displayed.width).toBeLessThan(photo.original.height * 0.9);
    expect(Math.abs(natural.width / natural.height - photo.displayed.width / photo.displayed.height)).toBeLessThan(0.02);
    expect((draft as { fields: { model: { value: string; source: string } } }).fields.model).toMatchObject({ value: 'Kuga', source: 'seller' });
    const photos = (draft as { photos: Array<EditorPhotoJson & { timestampMs: number }> }).photos;
    expect(photos.map((p) => p.id)).toEqual(expectedOrder);
    expect(photos.find((p) => p.id === swappedId)!.timestampMs).toBeGreaterThanOrEqual(chosenMs);
    expect(photos.find((p) => p.id === swappedId)!.timestampMs).toBeLessThan(chosenMs + 100);

    // The tools show the photo's edits as the shared fold reads them: enhance on, straightened by 3 degrees.
    const toned = expectedOrder[1]!;
    await page.click(`#photos .thumb[data-photo-id="${toned}"]`);
    expect(await page.textContent('#enhance')).toBe('Auto-enhance');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/photos/${toned}/edits`)), page.click('#enhance')]);
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/photos/${toned}/edits`)),
      page.locator('#straighten').evaluate((el) => {
        (el as HTMLInputElement).value = '3';
        el.dispatchEvent(new Event('change'));
      }),
    ]);
    await page.reload();
    await page.click(`#photos .thumb[data-photo-id="${toned}"]`);
    await expect.poll(() => page.textContent('#enhance')).toBe('Enhance: on');
    expect(await page.inputValue('#straighten')).toBe('3');
    expect(await page.inputValue('#brightness')).toBe('1');

    // On a phone screen the editor fits the width.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('#photos .thumb');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(392);
    await shot(page, '6-phone');
    expect(failures).toEqual([]);

    // The feedback events are in the database (the server holds the embedded one: stop it first).
    server!.child.kill('SIGTERM');
    await server!.result;
    const db = await openDatabase({ dataDir });
    try {
      const events = await db.query<{ kind: string; field: string | null; before: unknown; after: unknown; photo_id: string | null }>(
        'select kind, field, before, after, photo_id from feedback_events order by id',
      );
      expect(events.map((e) => (e.field ? `${e.kind}:${e.field}` : e.kind))).toEqual(['photo_cropped', 'cover_changed', 'field_changed:make', 'field_changed:model', 'photos_reordered', 'frame_swapped']);
      const cover = events.find((e) => e.kind === 'cover_changed')!;
      expect(cover.after).toBe(photoId);
      expect(cover.before).not.toBe(photoId);
      expect(events.find((e) => e.field === 'model')).toMatchObject({ before: null, after: 'Kuga' });
    } finally {
      await db.close();
    }
    const evaluated = await runCli(['eval', '--feedback', '--json'], { env });
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const stats = JSON.parse(evaluated.stdout) as { reviewedCars: number; cover: { kept: number }; make: { filledBySeller: number } };
    expect(stats.reviewedCars).toBe(1);
    expect(stats.cover.kept).toBe(0);
    expect(stats.make.filledBySeller).toBe(1);
  }, 600_000);
});
