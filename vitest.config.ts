import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A hang guard, not a speed check: one walkaround preset (analysis, photos, text, blurred clips) takes
    // up to ~105 s on 2 idle cores (benchmarks/ measure speed).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // ffmpeg and onnxruntime already use both cores; running files in parallel only thrashes them.
    fileParallelism: false,
    pool: 'forks',
    // Builds dist/ so the e2e tests' `node bin/lotreel.js` runs the current sources.
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
