/**
 * Read latency of the dealer API under load: 50 concurrent clients read drafts (GET /api/drafts/:id,
 * rotating over every draft of a processed video) for a while, while two more videos are processed by
 * the worker inside the same `lotreel serve` (LOTREEL_WORKER_CONCURRENCY=2). Prints p50/p99/max read
 * latency, requests per second, error and non-2xx counts, and whether both videos were processing
 * during the whole measurement.
 *
 *   npm run build && npx tsx benchmarks/service-reads.ts                 # embedded database
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx benchmarks/service-reads.ts
 *                                                                         # a scratch database on that server
 *   ... --seconds 30 --connections 50
 *   ... --idle                    # nothing processing: the floor on this machine
 *   ... --separate-worker         # (server only) API and worker as two processes
 *
 * Target (issue 5): p99 < 100 ms, zero errors. The server is the real CLI (dist/) in a child process,
 * so the load generator does not share its event loop; on a 2-core machine the two share the CPU
 * with the processing, so figures are pessimistic there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { projectRoot, sharedRoot } from '../fixtures/paths.js';
import { buildPreset } from '../fixtures/walkaround.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    /** Reads only, nothing processing: the floor on this machine. */
    idle: { type: 'boolean', default: false },
    /** API (`serve --no-worker`) and worker (`lotreel worker`) as two processes (needs DATABASE_URL). */
    'separate-worker': { type: 'boolean', default: false },
  },
});
const separateWorker = values['separate-worker'];
if (separateWorker && !process.env.DATABASE_URL) throw new Error('--separate-worker needs DATABASE_URL (the embedded database is single-process)');
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const P99_TARGET_MS = 100;

const root = join(projectRoot, '.lotreel-test', `bench-service-${process.pid}`);
mkdirSync(join(root, 'home'), { recursive: true });
let databaseUrl: string | undefined;
let dropDatabase = async () => undefined as void;
if (process.env.DATABASE_URL) {
  const name = `lotreel_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  dropDatabase = async () => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
}
const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: join(root, 'home'),
  LOTREEL_DATA_DIR: join(root, 'data'),
  LOTREEL_MODELS_DIR: join(sharedRoot, 'models', 'yolox_nano'),
  LOTREEL_WORKER_CONCURRENCY: '2',
  LOTREEL_JOB_POLL_S: '0.5',
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
};
const cli = join(projectRoot, 'bin', 'lotreel.js');

const added = spawnSync(process.execPath, [cli, 'dealers', 'add', 'Bench Motors'], { env, encoding: 'utf8' });
if (added.status !== 0) throw new Error(`dealers add failed: ${added.stderr}`);
const token = added.stdout.trimEnd().split('\n').at(-1)!;
const auth = { authorization: `Bearer ${token}` };

async function upload(file: string): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(readFileSync(file))]), 'bench.mp4');
  const res = await fetch(`${baseUrl}/api/videos`, { method: 'POST', headers: auth, body: form });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
const status = async (id: string) => ((await (await fetch(`${baseUrl}/api/videos/${id}`, { headers: auth })).json()) as { status: string; progress: number });

const children: ChildProcess[] = [];
let baseUrl = '';
try {
  const server = spawn(process.execPath, [cli, 'serve', '--port', '0', '--host', '127.0.0.1', ...(separateWorker ? ['--no-worker'] : [])], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(server);
  if (separateWorker) children.push(spawn(process.execPath, [cli, 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
  baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const match = /API listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    server.once('exit', (code) => reject(new Error(`serve exited (${code}) before it listened`)));
  });
  const [drafted, first, second] = await Promise.all([buildPreset('hardCuts'), buildPreset('lotWalk'), buildPreset('lotWalkPortrait')]);
  const readsId = await upload(drafted.video);
  while ((await status(readsId)).status !== 'done') await new Promise((r) => setTimeout(r, 500));
  const cars = (await (await fetch(`${baseUrl}/api/videos/${readsId}/cars`, { headers: auth })).json()) as { draft: { id: string } }[];
  const paths = cars.map((car) => `/api/drafts/${car.draft.id}`);

  const busy = values.idle ? [] : [await upload(first.video), await upload(second.video)];
  const bothProcessing = async () => (await Promise.all(busy.map(status))).every((s) => s.status === 'processing');
  const startedAt = Date.now();
  while (!(await bothProcessing())) {
    if (Date.now() - startedAt > 120_000) throw new Error('the two videos did not start processing');
    await new Promise((r) => setTimeout(r, 200));
  }
  const load = loadavg()[0]!;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    headers: auth,
    requests: paths.map((path) => ({ method: 'GET' as const, path })),
  });
  const stillProcessing = await bothProcessing();
  const p99 = result.latency.p99;
  console.log(
    JSON.stringify(
      {
        database: databaseUrl ? 'postgres' : 'pglite',
        shape: separateWorker ? 'API and worker processes' : 'serve (API + worker in one process)',
        videosProcessing: busy.length,
        connections,
        seconds,
        drafts: paths.length,
        requests: result.requests.total,
        requestsPerSecond: result.requests.average,
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99, max: result.latency.max },
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        bothVideosProcessingThroughout: busy.length > 0 && stillProcessing,
        loadAverageAtStart: Math.round(load * 10) / 10,
      },
      null,
      2,
    ),
  );
  const ok = p99 < P99_TARGET_MS && result.errors === 0 && result.non2xx === 0;
  console.log(`p99 read latency ${p99} ms (target < ${P99_TARGET_MS} ms), errors ${result.errors + result.non2xx}: ${ok ? 'meets the target' : 'MISSES the target'}`);
} finally {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await dropDatabase();
  rmSync(root, { recursive: true, force: true });
}
