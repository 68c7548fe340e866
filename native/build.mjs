#!/usr/bin/env node
// Builds the native addon at install (package.json "install"). A failed build is not a failed install:
// lotreel then runs its JavaScript kernels (src/vision/kernels.ts), which compute the same tensors.
// LOTREEL_NATIVE_BUILD=skip skips the build; =required (CI) makes a failed build fail the install.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = dirname(fileURLToPath(import.meta.url));
const mode = process.env.LOTREEL_NATIVE_BUILD ?? 'auto';
const addon = join(nativeDir, 'build', 'Release', 'lotreel_native.node');

function giveUp(why) {
  rmSync(join(nativeDir, 'build'), { recursive: true, force: true });
  if (mode === 'required') {
    console.error(`lotreel: the native addon could not be built: ${why}`);
    process.exit(1);
  }
  console.warn(`lotreel: native addon not built (${why}); the JavaScript kernels will be used (same results, slower).`);
  process.exit(0);
}

if (mode === 'skip') {
  console.warn('lotreel: LOTREEL_NATIVE_BUILD=skip: the JavaScript kernels will be used.');
  process.exit(0);
}

const require = createRequire(join(nativeDir, '..', 'package.json'));
const resolve = (id) => {
  try {
    return require.resolve(id);
  } catch {
    return undefined;
  }
};
if (!resolve('node-addon-api')) giveUp('node-addon-api is not installed (a production install without dev dependencies)');
// npm hands its own node-gyp to install scripts; else the project's.
const nodeGyp = process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp) ? process.env.npm_config_node_gyp : resolve('node-gyp/bin/node-gyp.js');
if (!nodeGyp) giveUp('node-gyp is not available');

// Build against this Node's own headers when they are installed, so nothing is downloaded.
const args = [nodeGyp, 'rebuild'];
const prefix = dirname(dirname(process.execPath));
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const build = spawnSync(process.execPath, args, { cwd: nativeDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 300_000 });
if (build.error || build.status !== 0) {
  const lines = `${build.stdout ?? ''}${build.stderr ?? ''}`.split('\n').filter((line) => /error/i.test(line));
  giveUp(build.error?.message ?? (lines.slice(0, 3).join(' | ') || `node-gyp exited with ${build.status}`));
}

// A library that builds but does not load (wrong toolchain, missing symbols) is no better than none.
try {
  const loaded = require(addon);
  if (typeof loaded.letterbox !== 'function') giveUp('the built addon lacks its functions');
} catch (error) {
  giveUp(`the built addon does not load: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`);
}
console.log(`lotreel: native addon built (${addon})`);
