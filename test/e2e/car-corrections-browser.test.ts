/**
 * Merge and split in the seller's editor, in a real browser (Debian's chromium, headless, driven by
 * playwright-core) against `lotreel serve --no-worker` on loopback: a video of two known cars is
 * written into the store first (no analysis run), then the seller dismisses a merge (nothing happens),
 * merges the two cars, reloads and finds one car, splits it at the other car's first photo, reloads
 * and finds both cars as they were. Screenshots are kept under .lotreel-test/ (the path is printed).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type SavedVideoResult } from '../../src/store/index.js';
import { cliEnv, startCli, type StartedCli } from '../helpers/cli.js';
import { chromiumPath, chromiumRequirement, skipsHere } from '../helpers/requirements.js';
import { seedDealer, seedDealerVideo } from '../helpers/seed-cars.js';
import { projectRoot, scratchDir, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';

const CHROMIUM = chromiumPath();
const noBrowser = skipsHere(chromiumRequirement());
const root = scratchDir('e2e-car-corrections');
const artefacts = join(projectRoot, '.lotreel-test', `car-corrections-${Date.now()}`);
const dataDir = join(root, 'data');
const env = cliEnv({ home: join(root, 'home'), dataDir, modelsDir: yoloxModelDir() });

let server: StartedCli | undefined;
let baseUrl = '';
let dealerToken = '';
let seeded: SavedVideoResult;
let browser: BrowserContext | undefined;

async function waitForListening(started: StartedCli): Promise<string> {
  let output = '';
  started.child.stdout!.on('data', (s: string) => (output += s));
  for (let i = 0; i < 600; i++) {
    const match = /API listening on (http:\/\/\S+)/.exec(output);
    if (match) return match[1]!;
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`lotreel serve did not start: ${output}`);
}

beforeAll(async () => {
  if (noBrowser) return;
  requireFreshBuild();
  const vite = spawnSync(process.execPath, [join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 });
  if (vite.status !== 0) throw new Error(`vite build failed: ${vite.stdout}${vite.stderr}`);
  mkdirSync(join(root, 'home'), { recursive: true });
  mkdirSync(artefacts, { recursive: true });
  const db = await openDatabase({ dataDir });
  try {
    const dealer = await seedDealer(db, 'Split Motors');
    dealerToken = dealer.token;
    seeded = await seedDealerVideo(db, dealer.id, 2, { fingerprint: 'two-cars', mediaRoot: join(dataDir, 'media') });
  } finally {
    await db.close();
  }
  server = startCli(['serve', '--no-worker', '--port', '0', '--host', '127.0.0.1'], { env, timeoutMs: 600_000 });
  baseUrl = await waitForListening(server);
  browser = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  console.log(`car corrections e2e screenshots: ${artefacts}`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.result.catch(() => undefined);
  }
  rmSync(root, { recursive: true, force: true });
});

/** The cars as the API has them: photo ids per car, in order. */
async function carsPhotos(): Promise<string[][]> {
  const response = await fetch(`${baseUrl}/api/videos/${seeded.videoId}/cars`, { headers: { authorization: `Bearer ${dealerToken}` } });
  const cars = (await response.json()) as Array<{ photos: Array<{ id: string }> }>;
  return cars.map((c) => c.photos.map((p) => p.id));
}

async function reloadCars(page: Page, count: number): Promise<void> {
  await page.reload();
  await page.waitForSelector('.car-item .title');
  expect(await page.locator('.car-item').count()).toBe(count);
}

describe.skipIf(noBrowser)('merge and split in the editor', () => {
  it('merges two cars into one and splits it back at a photo, each kept over a reload', async () => {
    const page = browser!.pages()[0] ?? (await browser!.newPage());
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    const [car1, car2] = seeded.cars as [SavedVideoResult['cars'][0], SavedVideoResult['cars'][0]];

    await page.goto(baseUrl + '/');
    await page.fill('#token', dealerToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('.video a');
    await page.goto(`${baseUrl}/#/videos/${seeded.videoId}`);
    await page.waitForSelector('.car-item .title');
    expect(await page.locator('.car-item').count()).toBe(2);
    // Only the first car has a next car to merge with; both can be split.
    expect(await page.locator('.car-item .merge-next').count()).toBe(1);
    expect(await page.locator('.car-item .split-here').count()).toBe(2);
    await page.screenshot({ path: join(artefacts, '1-two-cars.png'), fullPage: true });

    // A dismissed confirmation sends nothing.
    const questions: string[] = [];
    let answer = false;
    page.on('dialog', (dialog) => {
      questions.push(dialog.message());
      void (answer ? dialog.accept() : dialog.dismiss());
    });
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') sent.push(request.url());
    });
    await page.click('.car-item .merge-next');
    await page.waitForTimeout(300);
    expect(questions).toEqual([expect.stringMatching(/^Merge car 1 and car 2 into one car\?/)]);
    expect(sent).toEqual([]);

    answer = true;
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/cars/${car1.id}/merge`) && r.status() === 200), page.click('.car-item .merge-next')]);
    await page.waitForFunction(() => document.querySelectorAll('.car-item').length === 1);
    await reloadCars(page, 1);
    expect(await page.locator('.car-item .status').textContent()).toBe('needs review');
    expect(await carsPhotos()).toEqual([[...car1.photoIds, ...car2.photoIds]]);
    await page.screenshot({ path: join(artefacts, '2-merged.png'), fullPage: true });

    // Split where the second car began: at its first photo, now the merged car's third.
    await page.selectOption('.car-item .split-point', { label: 'at photo 3 (20.0 s)' });
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/cars/${car1.id}/split`) && r.status() === 200), page.click('.car-item .split-here')]);
    expect(questions.at(-1)).toMatch(/^Split car 1 in two at photo 3 \(20\.0 s\)\?/);
    await page.waitForFunction(() => document.querySelectorAll('.car-item').length === 2);
    await reloadCars(page, 2);
    expect(await carsPhotos()).toEqual([car1.photoIds, car2.photoIds]);
    expect(await page.locator('.car-item .status').allTextContents()).toEqual(['needs review', 'needs review']);
    await page.screenshot({ path: join(artefacts, '3-split.png'), fullPage: true });
    expect(failures).toEqual([]);
  });
});
