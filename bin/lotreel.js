#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm ci`/`npm install` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('lotreel: the compiled code is missing (dist/); run `npm run build` in the package folder\n');
  process.exit(70);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
