/** The service serves the page Vite builds: WEB_ROOT is the project's dist/web, wherever web-page.ts sits. */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WEB_ROOT } from '../../../src/service/editor/web-page.js';

const root = resolve(import.meta.dirname, '../../..');

describe('the editor page folder', () => {
  it("is vite.config.ts's outDir, dist/web", async () => {
    expect(WEB_ROOT).toBe(join(root, 'dist', 'web') + '/');
    const vite = (await import(pathToFileURL(join(root, 'web', 'vite.config.ts')).href)) as { default: { build: { outDir: string } } };
    expect(vite.default.build.outDir + '/').toBe(WEB_ROOT);
  });
});
