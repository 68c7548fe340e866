/** Builds the seller's editor page from web/ into dist/web (served by `lotreel serve` at /). */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Shop PCs and tablets: browsers from about 2020 on (fetch itself comes from the polyfill when missing).
    target: ['es2020', 'safari14', 'chrome87', 'firefox78'],
  },
});
