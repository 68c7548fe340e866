/**
 * The editor a seller works in, in a real browser (Debian's chromium, headless, playwright-core) at a
 * phone's width (390 px) and a desktop's (1280 px), against `lotreel serve` on loopback: sign-in that
 * comes back to the draft asked for, the layout (the photo strip above the tools on a phone, in view;
 * two columns on a desktop; primary and secondary buttons apart), slider values, a plate the finder
 * marked blurred with one click, a 26x13 px region drawn at a zoom (a second drag draws a new box),
 * the small-crop warning, keyboard shortcuts, the car's clip playing, mileage in the market's unit,
 * an error note cleared by a later success, the feed downloaded, the video list's thumbnail and count.
 * Assertions are on the DOM, the API and the downloads; screenshots are kept under .lotreel-test/.
 *
 * The plate: the synthetic walkaround has none, so the test writes one region into the photo's
 * `plate_regions` (what the finder stores) and checks the editor from there.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../fixtures/walkaround.js';
import { openDatabase } from '../../src/store/database.js';
import { cliEnv, runCli, type StartedCli } from '../helpers/cli.js';
import { adminDatabaseUrl, createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.js';
import { chromiumPath, chromiumRequirement, skipsHere } from '../helpers/requirements.js';
import { projectRoot, scratchDir, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';
import { buildEditorPage, drawRegion, inView, rectOf, startEditorServer, stopServer } from './editor-page.js';

const noBrowser = skipsHere(chromiumRequirement());
const root = scratchDir('e2e-editor-seller');
const artefacts = join(projectRoot, '.lotreel-test', `editor-seller-screens-${Date.now()}`);
const dataDir = join(root, 'data');
/** Small photos for this 752x500 walkaround: under 720 px long or 480 px short (686x383 is small). */
const SMALL = { longSide: 720, shortSide: 480 };

type Box = { x1: number; y1: number; x2: number; y2: number };
interface Photo {
  id: string;
  cover: boolean;
  edits: Array<{ op: string; box?: Box }>;
  displayed: { width: number; height: number };
  straightened: { width: number; height: number };
  plates: Box[];
}

let scratch: ScratchDatabase | undefined;
let env: Record<string, string>;
let server: StartedCli | undefined;
let baseUrl = '';
let dealerToken = '';
let videoId = '';
let draftId = '';
let browser: Browser | undefined;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${dealerToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
const photos = async () => (await call<{ photos: Photo[] }>('GET', `/api/drafts/${draftId}/editor`)).photos;

/** Writes a plate region into a photo's row, as the plate finder stores it (the server is stopped for the embedded database). */
async function markPlate(photoId: string, box: Box): Promise<void> {
  if (!scratch) await stopServer(server);
  const db = await openDatabase({ dataDir, databaseUrl: scratch?.url }, { migrate: false });
  try {
    await db.query('update photos set plate_regions = $2::jsonb where id = $1', [photoId, JSON.stringify([box])]);
  } finally {
    await db.close();
  }
  if (!scratch) ({ server, baseUrl } = await startEditorServer(env));
}

beforeAll(async () => {
  if (noBrowser) return;
  requireFreshBuild();
  buildEditorPage();
  mkdirSync(join(root, 'home'), { recursive: true });
  mkdirSync(artefacts, { recursive: true });
  const settingsFile = join(root, 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ editor: { smallPhotoLongSide: SMALL.longSide, smallPhotoShortSide: SMALL.shortSide } }));
  if (adminDatabaseUrl) scratch = await createScratchDatabase(adminDatabaseUrl, 'lotreel_seller');
  env = cliEnv({ home: join(root, 'home'), dataDir, modelsDir: yoloxModelDir(), databaseUrl: scratch?.url, extra: { LOTREEL_MARKET: 'eu', LOTREEL_CONFIG: settingsFile } });
  const video = await buildPreset('singleCar');
  const added = await runCli(['dealers', 'add', 'Seller Motors'], { env });
  expect(added.code, added.stderr).toBe(0);
  dealerToken = added.stdout.trim().split('\n').at(-1)!;
  ({ server, baseUrl } = await startEditorServer(env));
  const form = new FormData();
  form.append('file', new Blob([readFileSync(video.video)]), 'singleCar.mp4');
  const uploaded = await fetch(`${baseUrl}/api/videos`, { method: 'POST', headers: { authorization: `Bearer ${dealerToken}` }, body: form });
  expect(uploaded.status).toBe(202);
  videoId = ((await uploaded.json()) as { id: string }).id;
  for (let i = 0; i < 300; i++) {
    const status = await call<{ status: string; error: string | null }>('GET', `/api/videos/${videoId}`);
    if (status.status === 'done') break;
    if (status.status === 'failed') throw new Error(`processing failed: ${status.error}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const cars = await call<Array<{ draft: { id: string } }>>('GET', `/api/videos/${videoId}/cars`);
  draftId = cars[0]!.draft.id;
  const all = await photos();
  expect(all.length).toBeGreaterThanOrEqual(3);
  const { width, height } = all[1]!.displayed;
  await markPlate(all[1]!.id, { x1: width / 2 - 13, y1: height * 0.6, x2: width / 2 + 13, y2: height * 0.6 + 13 });
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'] });
  console.log(`editor (seller) e2e screenshots: ${artefacts}`);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stopServer(server);
  await scratch?.drop();
  rmSync(root, { recursive: true, force: true });
});

const WIDTHS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 900 },
] as const;

const postOf = (page: Page, path: string) => page.waitForResponse((r) => r.url().endsWith(path) && r.request().method() !== 'GET');

describe.skipIf(noBrowser)('the seller editor', () => {
  it.each(WIDTHS)('at $width px ($name): every new action works and is in view', async ({ name, width, height }) => {
    // Each width starts from the photos as processed.
    const before = await photos();
    for (const photo of before) await call('DELETE', `/api/photos/${photo.id}/edits`);
    await call('POST', `/api/photos/${before[0]!.id}/cover`);
    const context = await browser!.newContext({ viewport: { width, height }, acceptDownloads: true });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    const shot = (step: string) => page.screenshot({ path: join(artefacts, `${name}-${step}.png`), fullPage: false });

    // Signed out, a draft link asks for the token (placeholder as tokens start) and comes back to the draft.
    await page.goto(`${baseUrl}/#/drafts/${draftId}`);
    await page.waitForSelector('#token');
    expect(await page.getAttribute('#token', 'placeholder')).toBe('lr_…');
    await page.fill('#token', dealerToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('#photos .thumb img');
    expect(page.url()).toContain(`#/drafts/${draftId}`);

    // Layout: the strip is in view above the tools; nothing wider than the screen; primary apart from secondary.
    expect(await inView(page, '#photos')).toBe(true);
    const strip = await rectOf(page, '#photos');
    const tools = await rectOf(page, '#photo-panel .toolbar');
    expect(strip.bottom).toBeLessThanOrEqual(tools.y);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width + 1);
    if (name === 'phone') expect(await inView(page, '#photo-panel .toolbar')).toBe(true);
    else expect((await rectOf(page, '#fields')).x).toBeGreaterThanOrEqual((await rectOf(page, '#photo-panel')).right);
    const look = (selector: string) => page.locator(selector).evaluate((el) => getComputedStyle(el).backgroundColor + ' ' + getComputedStyle(el).color);
    expect(await look('#save-fields')).not.toBe(await look('#crop'));
    expect(await look('#delete-photo')).not.toBe(await look('#crop'));
    expect(await page.locator('#photo-panel button.primary').count()).toBeLessThanOrEqual(2);
    // Mileage in the market's unit (LOTREEL_MARKET=eu), the sliders with their values.
    expect(await page.textContent('label[for=field-mileage]')).toContain('(km)');
    expect(await page.textContent('#straighten-value')).toBe('0.0°');
    expect(await page.textContent('#brightness-value')).toBe('100 %');
    await page.locator('#brightness').evaluate((el) => {
      (el as HTMLInputElement).value = '1.25';
      el.dispatchEvent(new Event('input'));
    });
    expect(await page.textContent('#brightness-value')).toBe('125 %');
    await shot('1-editor');

    // The plate the finder marked: outlined, one click blurs it, the notice says so.
    const all = await photos();
    const plated = all[1]!;
    await page.click(`#photos .thumb[data-photo-id="${plated.id}"]`);
    await page.waitForSelector('#plate-notice.warn');
    expect(await page.locator('.plate-outline').count()).toBe(1);
    await page.locator('#plate-notice').scrollIntoViewIfNeeded();
    expect(await inView(page, '#blur-plates')).toBe(true);
    await shot('2-plate');
    await Promise.all([postOf(page, `/api/photos/${plated.id}/edits`), page.click('#blur-plates')]);
    await page.waitForSelector('#plate-notice.ok');
    const blurredPlate = (await photos()).find((p) => p.id === plated.id)!;
    const plateBlur = blurredPlate.edits.find((e) => e.op === 'blur')!.box!;
    const plate = plated.plates[0]!;
    expect(plateBlur.x1).toBeLessThanOrEqual(plate.x1);
    expect(plateBlur.x2).toBeGreaterThanOrEqual(plate.x2);
    expect(plateBlur.y1).toBeLessThanOrEqual(plate.y1);
    expect(plateBlur.y2).toBeGreaterThanOrEqual(plate.y2);

    // Keyboard: next photo, the blur tool (B) opens with no box; zoom to 4x; a 26x13 px box drawn, then
    // a second drag draws a new, different box (it does not move the first); Enter applies it.
    const target = all[2]!;
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getAttribute(`#photos .thumb[data-photo-id="${target.id}"]`, 'class')).toContain('selected');
    await page.keyboard.press('b');
    await page.waitForSelector('#region-viewport[data-ready=true]');
    expect(await page.locator('.region-box').isHidden()).toBe(true);
    expect(await page.locator('#apply-region').isDisabled()).toBe(true);
    await page.click('#zoom-in');
    await page.keyboard.press('+');
    expect(await page.textContent('#zoom-level')).toBe('4×');
    const full = target.displayed;
    const cx = full.width / 2;
    const cy = full.height / 2;
    await drawRegion(page, { x1: cx - 30, y1: cy - 20, x2: cx + 10, y2: cy }, full);
    const small = { x1: cx - 13, y1: cy - 6, x2: cx + 13, y2: cy + 7 };
    await drawRegion(page, small, full);
    const onScreen = await rectOf(page, '.region-box');
    expect(onScreen.width).toBeGreaterThanOrEqual(24);
    expect(onScreen.height).toBeGreaterThanOrEqual(12);
    await shot('3-zoomed-region');
    await Promise.all([postOf(page, `/api/photos/${target.id}/edits`), page.keyboard.press('Enter')]);
    const drawn = (await photos()).find((p) => p.id === target.id)!.edits.filter((e) => e.op === 'blur');
    expect(drawn).toHaveLength(1);
    for (const side of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(drawn[0]!.box![side] - small[side])).toBeLessThan(2);

    // A crop to 686x383 warns while drawn and after; undo (U) takes it back and the warning goes.
    await page.keyboard.press('c');
    await page.waitForSelector('#region-viewport[data-ready=true]');
    await drawRegion(page, { x1: 30, y1: 40, x2: 716, y2: 423 }, target.straightened);
    await expect.poll(() => page.getAttribute('#region-info', 'class')).toContain('warn');
    expect(await page.textContent('#region-info')).toMatch(/Small: 68\d×38\d px/);
    await Promise.all([postOf(page, `/api/photos/${target.id}/edits`), page.click('#apply-region')]);
    await page.waitForSelector('#small-photo');
    expect(await page.textContent('#small-photo')).toMatch(/68\d×38\d/);
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await Promise.all([postOf(page, `/api/photos/${target.id}/edits/undo`), page.keyboard.press('u')]);
    await expect.poll(() => page.locator('#small-photo').count()).toBe(0);

    // More keys: R turns, Ctrl+Z undoes, K makes the cover, ? lists the shortcuts.
    await Promise.all([postOf(page, `/api/photos/${target.id}/edits`), page.keyboard.press('r')]);
    expect((await photos()).find((p) => p.id === target.id)!.edits.at(-1)!.op).toBe('rotate');
    await Promise.all([postOf(page, `/api/photos/${target.id}/edits/undo`), page.keyboard.press('Control+z')]);
    await Promise.all([postOf(page, `/api/photos/${target.id}/cover`), page.keyboard.press('k')]);
    expect((await photos()).find((p) => p.id === target.id)!.cover).toBe(true);
    await page.keyboard.press('?');
    await page.waitForSelector('#shortcut-help:not([hidden])');
    expect(await page.locator('#shortcut-help kbd', { hasText: /^c$/ }).count()).toBe(1);
    await page.keyboard.press('?');

    // The car's clip plays in the editor.
    await page.click('#play-clip');
    await page.waitForSelector('#clip-video');
    await expect.poll(() => page.locator('#clip-video').evaluate((v) => (v as HTMLVideoElement).readyState), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#clip-video').evaluate((v) => (v as HTMLVideoElement).duration)).toBeGreaterThan(1);
    expect((await rectOf(page, '#clip-video')).right).toBeLessThanOrEqual(width);
    await page.locator('#clip-video').scrollIntoViewIfNeeded();
    await shot('4-clip');
    await page.click('#play-clip');

    // An error note stays until a later save succeeds, then it is gone.
    await page.fill('#field-year', '1700');
    await page.click('#save-fields');
    await page.waitForSelector('.flash.error');
    await shot('5-error');
    await page.fill('#field-year', '2012');
    await Promise.all([postOf(page, `/api/drafts/${draftId}/fields`), page.click('#save-fields')]);
    await expect.poll(() => page.locator('.flash.error').count()).toBe(0);
    expect(await page.locator('.flash.info').count()).toBe(1);

    // The feed downloads as CSV and as JSON from the car list.
    await page.goto(`${baseUrl}/#/videos/${videoId}`);
    await page.waitForSelector('.car .title');
    expect(await inView(page, '#download-csv')).toBe(true);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    expect(csvText.split('\r\n')[0]).toMatch(/^vehicle_id,title,/);
    expect(csvText.trim().split('\r\n')).toHaveLength(2);
    expect(csv.suggestedFilename()).toBe(`lotreel-${videoId}.csv`);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
    const items = JSON.parse(readFileSync((await json.path())!, 'utf8')) as Array<{ vehicle_id: string; year: number | null }>;
    expect(items).toHaveLength(1);

    // The video list: a thumbnail, the number of cars and the status, in view.
    await page.goto(`${baseUrl}/#/videos`);
    const row = page.locator(`.video[data-video-id="${videoId}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator('img.thumb-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await row.locator('.car-count').textContent()).toBe('1 car');
    expect(await row.locator('.status').textContent()).toBe('done');
    expect(await inView(page, `.video[data-video-id="${videoId}"]`)).toBe(true);
    await shot('6-videos');
    expect(failures).toEqual([]);
    await context.close();
  }, 300_000);
});
