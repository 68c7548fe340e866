/**
 * Runs the real service for the end-to-end tests: `lotreel serve` / `lotreel worker` (dist/, as the
 * global setup built it) as child processes on loopback, with a scratch data folder and either the
 * embedded database or a scratch database on the PostgreSQL server. HTTP goes through fetch and
 * tus-js-client, as a dealer's client would.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type { videoStatus } from '../../../src/service/schemas.js';
import { cliEnv, describeRun, runCli, startCli, type StartedCli } from '../../helpers/cli.js';
import { adminDatabaseUrl, createScratchDatabase, type ScratchDatabase } from '../../helpers/postgres.js';
import { scratchDir, yoloxModelDir } from '../../helpers/shared.js';

export type BackendKind = 'pglite' | 'postgres';

/** PGlite always; the PostgreSQL server when DATABASE_URL names its admin connection. */
export const backendKinds: BackendKind[] = ['pglite', ...(adminDatabaseUrl ? (['postgres'] as const) : [])];

/** Settings that make the service quick to observe in tests (short polls, small limits). */
export const TEST_SERVICE_ENV: Record<string, string> = {
  LOTREEL_JOB_POLL_S: '0.5',
  LOTREEL_JOB_RETRY_DELAY_S: '1',
  LOTREEL_JOB_RETRY_LIMIT: '5',
  LOTREEL_JOB_MAINTENANCE_S: '1',
  LOTREEL_MAX_MULTIPART_BYTES: String(12 * 1024 * 1024),
  LOTREEL_MAX_UPLOAD_BYTES: String(40 * 1024 * 1024),
  LOTREEL_MAX_JSON_BYTES: String(64 * 1024),
  LOTREEL_LOG_LEVEL: 'info',
};

export interface Installation {
  kind: BackendKind;
  root: string;
  dataDir: string;
  database: ScratchDatabase | null;
  env(extra?: Record<string, string>): Record<string, string>;
  /** `lotreel dealers add NAME`: returns the token (the last line of its output). */
  addDealer(name: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createInstallation(kind: BackendKind, name: string): Promise<Installation> {
  const root = scratchDir(`e2e-${name}-${kind}`);
  const dataDir = join(root, 'data');
  await mkdir(join(root, 'home'), { recursive: true });
  const database = kind === 'postgres' ? await createScratchDatabase(adminDatabaseUrl!, 'lotreel_service') : null;
  const env = (extra: Record<string, string> = {}) =>
    cliEnv({ home: join(root, 'home'), dataDir, modelsDir: yoloxModelDir(), databaseUrl: database?.url, extra: { ...TEST_SERVICE_ENV, ...extra } });
  return {
    kind,
    root,
    dataDir,
    database,
    env,
    async addDealer(dealer) {
      const run = await runCli(['dealers', 'add', dealer], { env: env(), timeoutMs: 60_000 });
      if (run.code !== 0) throw new Error(`dealers add failed: ${describeRun(run)}`);
      return run.stdout.trimEnd().split('\n').at(-1)!;
    },
    async cleanup() {
      await database?.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface ServiceProcess {
  proc: StartedCli;
  /** The API's base URL (serve only). */
  url: string;
  /** Everything it wrote so far. */
  output(): string;
  /** SIGTERM and wait; returns the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `lotreel serve` (API, worker unless `--no-worker`) or `lotreel worker` (node options first: a preload) and waits until it is ready. */
export async function startService(install: Installation, args: string[], extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServiceProcess> {
  const isServe = args[0] === 'serve';
  const fullArgs = isServe ? [...args, '--port', '0', '--host', '127.0.0.1'] : args;
  const proc = startCli(fullArgs, { env: install.env(extraEnv), timeoutMs: 900_000, nodeArgs });
  let text = '';
  proc.child.stdout!.on('data', (s: string) => (text += s));
  proc.child.stderr!.on('data', (s: string) => (text += s));
  const ready = isServe ? /API listening on (http:\/\/\S+)/ : /worker started/;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start within 120 s:\n${text}`)), 120_000);
    const check = () => {
      const match = ready.exec(text);
      if (match) {
        clearTimeout(timer);
        proc.child.stdout!.off('data', check);
        resolve(match[1] ?? '');
      }
    };
    proc.child.stdout!.on('data', check);
    proc.result.then((run) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited before it was ready: ${describeRun(run)}`));
    }, reject);
  });
  return {
    proc,
    url,
    output: () => text,
    async stop() {
      proc.child.kill('SIGTERM');
      return (await proc.result).code;
    },
  };
}

/** A client for one dealer's token. */
export function client(baseUrl: string, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  return {
    token,
    fetch: (path: string, init: RequestInit = {}) => fetch(baseUrl + path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } }),
    async json<T = any>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
      const res = await fetch(baseUrl + path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T };
    },
    async uploadMultipart(bytes: Uint8Array, fileName: string): Promise<{ status: number; body: any }> {
      const form = new FormData();
      form.set('file', new Blob([new Uint8Array(bytes)]), fileName);
      const res = await fetch(`${baseUrl}/api/videos`, { method: 'POST', headers: auth, body: form });
      return { status: res.status, body: await res.json() };
    },
  };
}
export type Client = ReturnType<typeof client>;

/** GET /api/videos/:id as the API declares it. */
export type VideoStatus = z.output<typeof videoStatus>;

/** Polls GET /api/videos/:id until `until` holds (or the time runs out). */
export async function waitForVideo(api: Client, id: string, until: (s: VideoStatus) => boolean, timeoutMs = 300_000): Promise<VideoStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api.json<VideoStatus>(`/api/videos/${id}`);
    if (status !== 200) throw new Error(`GET /api/videos/${id} answered ${status}: ${JSON.stringify(body)}`);
    if (until(body)) return body;
    if (body.status === 'failed') throw new Error(`video ${id} failed: ${body.error}`);
    if (Date.now() > deadline) throw new Error(`video ${id} still ${JSON.stringify(body)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Reads a server-sent events stream to its end; `onEvent` sees each event as it arrives (awaited before reading on). */
export async function readEvents(
  api: Pick<Client, 'fetch'>,
  path: string,
  timeoutMs = 300_000,
  onEvent?: (event: SseEvent) => Promise<void> | void,
): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const res = await api.fetch(path, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200 || res.body === null) return { status: res.status, contentType: res.headers.get('content-type'), events: [] };
  const events: SseEvent[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      events.push({ event, data: JSON.parse(data) });
      await onEvent?.(events.at(-1)!);
    }
  }
  return { status: res.status, contentType: res.headers.get('content-type'), events };
}
