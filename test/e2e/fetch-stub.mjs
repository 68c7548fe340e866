// Preloaded (`node --import`) into the lotreel process under test, so `lotreel models pull` can be
// tested with no network at all. It replaces globalThis.fetch:
//   LOTREEL_E2E_FETCH=offline (default)           every request fails the way fetch fails with no route;
//   LOTREEL_E2E_FETCH=redirect:http://127.0.0.1:N  every request goes to that local server instead, as
//                                                  GET /fetch?url=<the original URL>.
//   LOTREEL_E2E_FETCH_LOG=<file>                  each requested URL is appended to that file.
import { appendFileSync } from 'node:fs';

const mode = process.env.LOTREEL_E2E_FETCH ?? 'offline';
const logFile = process.env.LOTREEL_E2E_FETCH_LOG;
const realFetch = globalThis.fetch;

globalThis.fetch = async function stubbedFetch(input, init) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (logFile) appendFileSync(logFile, `${url}\n`);
  if (mode.startsWith('redirect:')) {
    const base = new URL(mode.slice('redirect:'.length));
    if (base.hostname !== '127.0.0.1') throw new TypeError(`fetch stub: only 127.0.0.1 is allowed (got ${base.hostname})`);
    const target = new URL('/fetch', base);
    target.searchParams.set('url', url);
    return realFetch(target, init);
  }
  const cause = Object.assign(new Error(`connect ENETUNREACH (the tests have no network; wanted ${url})`), { code: 'ENETUNREACH' });
  throw new TypeError('fetch failed', { cause });
};
