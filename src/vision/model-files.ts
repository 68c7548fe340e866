/**
 * Model files on disk: find them in the models folder, verify their checksum (cached in a sidecar keyed
 * by size and modification time), and download the missing ones (`lotreel models pull`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LotreelError, isLotreelError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { loadModelManifest, matchingChecksum, type ModelFileSpec, type ModelManifest } from './manifest.js';

export interface ModelFile {
  id: string;
  path: string;
  sha256: string;
  size: number;
}

/** One-line explanation of a missing model and both ways to get it. */
export function missingModelMessage(spec: ModelFileSpec, modelsDir: string): string {
  return (
    `model file ${spec.file} (${spec.id}) is missing from ${modelsDir}: ` +
    `run \`lotreel models pull\` while online, or put ${spec.file} in a folder and set LOTREEL_MODELS_DIR=<that folder>`
  );
}

function checksumMessage(spec: ModelFileSpec, path: string, sha256: string, size: number): string {
  return (
    `model file ${path} does not match any known checksum of ${spec.id} (sha256 ${sha256}, ${size} bytes): ` +
    `delete it and run \`lotreel models pull\`, or replace it with the published ${spec.file}`
  );
}

/** Streaming sha256 of a file. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface HashRecord {
  size: number;
  mtimeMs: number;
  sha256: string;
}

const memoryHashes = new Map<string, HashRecord>();
const sidecarPath = (path: string) => `${path}.sha256`;

async function readSidecar(path: string): Promise<HashRecord | undefined> {
  try {
    const json = JSON.parse(await readFile(sidecarPath(path), 'utf8')) as Partial<HashRecord>;
    if (typeof json.size === 'number' && typeof json.mtimeMs === 'number' && typeof json.sha256 === 'string' && /^[0-9a-f]{64}$/.test(json.sha256)) {
      return { size: json.size, mtimeMs: json.mtimeMs, sha256: json.sha256 };
    }
  } catch {
    // No sidecar, or an unreadable one: the hash is computed again.
  }
  return undefined;
}

async function writeSidecar(path: string, record: HashRecord, log: Logger): Promise<void> {
  try {
    await writeFile(sidecarPath(path), JSON.stringify(record) + '\n');
  } catch (error) {
    // A read-only models folder is fine: the hash is then kept in memory only.
    log.debug('checksum cache not written', { file: sidecarPath(path), error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * sha256 of a file, taken from memory or from the `<file>.sha256` sidecar when the file's size and
 * modification time are those recorded; computed (and recorded) otherwise.
 */
export async function cachedSha256(path: string, log: Logger = silentLogger): Promise<{ sha256: string; size: number; cached: boolean }> {
  const st = await stat(path);
  const fresh = (r: HashRecord | undefined) => r !== undefined && r.size === st.size && r.mtimeMs === st.mtimeMs;
  const inMemory = memoryHashes.get(path);
  if (fresh(inMemory)) return { sha256: inMemory!.sha256, size: st.size, cached: true };
  const onDisk = await readSidecar(path);
  if (fresh(onDisk)) {
    memoryHashes.set(path, onDisk!);
    return { sha256: onDisk!.sha256, size: st.size, cached: true };
  }
  const started = performance.now();
  const sha256 = await sha256OfFile(path);
  const record = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
  memoryHashes.set(path, record);
  log.debug('model checksum computed', { file: path, ms: Math.round(performance.now() - started) });
  await writeSidecar(path, record, log);
  return { sha256, size: st.size, cached: false };
}

/** Forgets in-memory checksums (tests). */
export function clearChecksumCache(): void {
  memoryHashes.clear();
}

/**
 * The model's file in `modelsDir`, checked against the manifest's checksums.
 * Throws MODEL_MISSING (with both remedies) or MODEL_CHECKSUM.
 */
export async function resolveModelFile(spec: ModelFileSpec, modelsDir: string, options: { verify?: boolean; log?: Logger } = {}): Promise<ModelFile> {
  const log = options.log ?? silentLogger;
  const path = join(modelsDir, spec.file);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'ENOENT' });
    size = st.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new LotreelError('MODEL_MISSING', missingModelMessage(spec, modelsDir), {
        cause: error,
        details: { id: spec.id, file: spec.file, modelsDir, urls: spec.urls },
      });
    }
    throw error;
  }
  if (options.verify === false) return { id: spec.id, path, sha256: '', size };
  const { sha256 } = await cachedSha256(path, log);
  if (!matchingChecksum(spec, sha256, size)) {
    throw new LotreelError('MODEL_CHECKSUM', checksumMessage(spec, path, sha256, size), {
      details: { id: spec.id, path, sha256, size, accepted: spec.checksums },
    });
  }
  return { id: spec.id, path, sha256, size };
}

export type PullAction = 'present' | 'downloaded' | 'replaced';

export interface PullResult {
  id: string;
  file: string;
  path: string;
  /** present: already there and valid; downloaded; replaced: a corrupt file was downloaded again. */
  action: PullAction;
  /** Where it came from, when downloaded. */
  url?: string;
  size: number;
  sha256: string;
}

export interface PullOptions {
  fetch?: typeof globalThis.fetch;
  log?: Logger;
  /** Only these model ids (default: all in the manifest). */
  ids?: readonly string[];
  signal?: AbortSignal;
}

interface DownloadFailure {
  url: string;
  error: string;
  checksum: boolean;
}

/** Streams one URL into `tempPath` while hashing it. */
async function downloadTo(url: string, tempPath: string, fetchImpl: typeof globalThis.fetch, signal: AbortSignal | undefined): Promise<{ sha256: string; size: number }> {
  const response = await fetchImpl(url, { redirect: 'follow', signal });
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  const hash = createHash('sha256');
  const handle = await open(tempPath, 'w');
  let size = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.length;
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Downloads every missing (or corrupt) model of the manifest into `modelsDir`: each URL in turn to a
 * temporary file in the same folder, checked against the manifest, then renamed into place (atomic).
 * Throws MODEL_CHECKSUM when every URL delivered a file that does not match, MODEL_DOWNLOAD when
 * none could be fetched.
 */
export async function pullModels(modelsDir: string, options?: PullOptions): Promise<PullResult[]>;
export async function pullModels(manifest: ModelManifest, modelsDir: string, options?: PullOptions): Promise<PullResult[]>;
export async function pullModels(a: ModelManifest | string, b?: string | PullOptions, c?: PullOptions): Promise<PullResult[]> {
  const [manifest, modelsDir, options] = typeof a === 'string' ? [loadModelManifest(), a, (b as PullOptions | undefined) ?? {}] : [a, b as string, c ?? {}];
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const log = options.log ?? silentLogger;
  // An id names one model; a CLIP family's name stands for all of its files.
  const specs = options.ids ? options.ids.flatMap((id) => {
    const spec = manifest.models.filter((m) => m.id === id || (m.task !== 'detection' && m.family === id));
    if (spec.length === 0) throw new LotreelError('INVALID_ARGUMENT', `unknown model ${id} (known: ${manifest.models.map((m) => m.id).join(', ')})`);
    return spec;
  }) : manifest.models;
  await mkdir(modelsDir, { recursive: true });
  const results: PullResult[] = [];

  for (const spec of specs) {
    const path = join(modelsDir, spec.file);
    let replacing = false;
    try {
      const present = await resolveModelFile(spec, modelsDir, { log });
      log.info('model present', { id: spec.id, path });
      results.push({ id: spec.id, file: spec.file, path, action: 'present', size: present.size, sha256: present.sha256 });
      continue;
    } catch (error) {
      if (isLotreelError(error, 'MODEL_CHECKSUM')) {
        log.warn('model file does not match its checksum; downloading it again', { id: spec.id, path });
        replacing = true;
      } else if (!isLotreelError(error, 'MODEL_MISSING')) throw error;
    }

    const failures: DownloadFailure[] = [];
    let done: PullResult | undefined;
    for (const url of spec.urls) {
      options.signal?.throwIfAborted();
      const tempPath = join(modelsDir, `.${spec.file}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
      const started = performance.now();
      try {
        log.info('downloading model', { id: spec.id, url });
        const { sha256, size } = await downloadTo(url, tempPath, fetchImpl, options.signal);
        if (!matchingChecksum(spec, sha256, size)) {
          failures.push({ url, error: `checksum mismatch (sha256 ${sha256}, ${size} bytes)`, checksum: true });
          log.info('downloaded model does not match its checksum', { id: spec.id, url, sha256, size });
          await unlink(tempPath).catch(() => undefined);
          continue;
        }
        await rename(tempPath, path);
        const st = await stat(path);
        await writeSidecar(path, { size: st.size, mtimeMs: st.mtimeMs, sha256 }, log);
        memoryHashes.set(path, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
        log.info('model downloaded', { id: spec.id, path, url, size, ms: Math.round(performance.now() - started) });
        done = { id: spec.id, file: spec.file, path, action: replacing ? 'replaced' : 'downloaded', url, size, sha256 };
        break;
      } catch (error) {
        await unlink(tempPath).catch(() => undefined);
        if (error instanceof Error && error.name === 'AbortError') throw new LotreelError('ABORTED', 'model download aborted', { cause: error });
        const message = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
        failures.push({ url, error: message, checksum: false });
        log.info('model download failed', { id: spec.id, url, error: message });
      }
    }
    if (!done) {
      const tried = failures.map((f) => `${f.url}: ${f.error}`).join('; ');
      const allChecksum = failures.length > 0 && failures.every((f) => f.checksum);
      throw new LotreelError(
        allChecksum ? 'MODEL_CHECKSUM' : 'MODEL_DOWNLOAD',
        allChecksum
          ? `downloaded ${spec.file} does not match its published checksum (${tried})`
          : `cannot download ${spec.file} (${tried}); put the file in ${modelsDir} yourself or set LOTREEL_MODELS_DIR=<folder with it>`,
        { details: { id: spec.id, failures } },
      );
    }
    results.push(done);
  }
  return results;
}

export interface ModelListing {
  id: string;
  file: string;
  path: string;
  present: boolean;
  /** Whether the present file matches a known checksum (undefined when missing). */
  checksumOk?: boolean;
  size?: number;
  licence: string;
  urls: string[];
}

/** Every model of the manifest (the package's own by default) and whether its file is in `modelsDir`. */
export async function listModels(modelsDir: string, manifest: ModelManifest = loadModelManifest(), log: Logger = silentLogger): Promise<ModelListing[]> {
  const out: ModelListing[] = [];
  for (const spec of manifest.models) {
    const base = { id: spec.id, file: spec.file, path: join(modelsDir, spec.file), licence: spec.licence, urls: spec.urls };
    try {
      const file = await resolveModelFile(spec, modelsDir, { log });
      out.push({ ...base, present: true, checksumOk: true, size: file.size });
    } catch (error) {
      if (isLotreelError(error, 'MODEL_MISSING')) out.push({ ...base, present: false });
      else if (isLotreelError(error, 'MODEL_CHECKSUM')) out.push({ ...base, present: true, checksumOk: false, size: error.details?.size as number | undefined });
      else throw error;
    }
  }
  return out;
}
