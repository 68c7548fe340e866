/**
 * What the editor's browser tests share: the page built by Vite, `lotreel serve` started and its
 * address read, a box drawn with the mouse in the region tool, and where an element sits on screen.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startCli, type StartedCli } from '../helpers/cli.js';
import { projectRoot } from '../helpers/shared.js';

/** Builds web/ into dist/web (served by `lotreel serve` at /). */
export function buildEditorPage(): void {
  const vite = spawnSync(process.execPath, [join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000 });
  if (vite.status !== 0) throw new Error(`vite build failed: ${vite.stdout}${vite.stderr}`);
}

/** Starts `lotreel serve` on a free loopback port; resolves with the server and its base URL. */
export async function startEditorServer(env: Record<string, string>, timeoutMs = 60_000): Promise<{ server: StartedCli; baseUrl: string }> {
  const server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], { env, timeoutMs: 900_000 });
  const until = Date.now() + timeoutMs;
  let output = '';
  server.child.stdout!.on('data', (s: string) => (output += s));
  while (Date.now() < until) {
    const match = /API listening on (http:\/\/\S+)/.exec(output);
    if (match) return { server, baseUrl: match[1]! };
    if (server.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`lotreel serve did not start: ${output}`);
}

export async function stopServer(server: StartedCli | undefined): Promise<void> {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.result.catch(() => undefined);
  }
}

/** Where an element is on screen (CSS pixels of the viewport). */
export async function rectOf(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number; bottom: number; right: number }> {
  return page.locator(selector).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height, bottom: r.bottom, right: r.right };
  });
}

/** True when the element lies wholly inside the viewport. */
export async function inView(page: Page, selector: string): Promise<boolean> {
  const r = await rectOf(page, selector);
  const view = page.viewportSize()!;
  return r.width > 0 && r.height > 0 && r.x >= -0.5 && r.y >= -0.5 && r.right <= view.width + 0.5 && r.bottom <= view.height + 0.5;
}

/**
 * Draws a box with the mouse in the open region tool: `box` is in the picture's full-resolution pixels
 * (`full` its size). Fails when a corner is not on screen inside the tool's view (scroll or zoom first).
 */
export async function drawRegion(page: Page, box: { x1: number; y1: number; x2: number; y2: number }, full: { width: number; height: number }): Promise<void> {
  await page.locator('#region-viewport').scrollIntoViewIfNeeded();
  const stage = await rectOf(page, '#region-stage');
  const tool = await rectOf(page, '#region-viewport');
  const screen = page.viewportSize()!;
  const view = { x: Math.max(0, tool.x), y: Math.max(0, tool.y), right: Math.min(screen.width, tool.right), bottom: Math.min(screen.height, tool.bottom) };
  const at = (x: number, y: number) => ({ x: stage.x + (x / full.width) * stage.width, y: stage.y + (y / full.height) * stage.height });
  const a = at(box.x1, box.y1);
  const b = at(box.x2, box.y2);
  for (const p of [a, b]) {
    if (p.x < view.x || p.y < view.y || p.x > view.right || p.y > view.bottom) throw new Error(`(${p.x}, ${p.y}) is outside the region tool's view ${JSON.stringify(view)}`);
  }
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 3 });
  await page.mouse.move(b.x, b.y, { steps: 3 });
  await page.mouse.up();
}
