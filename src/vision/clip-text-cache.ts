/**
 * Text embeddings cached on disk (I/O): a catalogue's prompts are encoded once per exact model
 * (`ClipEncoder.modelKey`) and prompt list, then read back in milliseconds. One file per key, written
 * to a temporary name and renamed, so a reader never sees half a file.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';

const MAGIC = 0x4c544345; // "LTCE"

export interface TextEncoder {
  readonly modelKey: string;
  encodeTexts(texts: readonly string[]): Promise<Float32Array[]>;
}

export function textCacheFile(cacheDir: string, modelKey: string, texts: readonly string[]): string {
  const key = createHash('sha256').update(modelKey).update('\0').update(texts.join('\n')).digest('hex').slice(0, 40);
  return join(cacheDir, `clip-text-${key}.bin`);
}

function decode(bytes: Buffer, count: number): Float32Array[] | undefined {
  if (bytes.length < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== count) return undefined;
  const dim = view.getUint32(8, true);
  if (bytes.length !== 12 + count * dim * 4) return undefined;
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 12, bytes.byteOffset + bytes.length));
  return Array.from({ length: count }, (_, k) => all.subarray(k * dim, (k + 1) * dim));
}

/** Embeddings of `texts`, from the cache when this model already encoded this exact list. */
export async function cachedTextEmbeddings(encoder: TextEncoder, texts: readonly string[], cacheDir: string, log: Logger = silentLogger): Promise<Float32Array[]> {
  const file = textCacheFile(cacheDir, encoder.modelKey, texts);
  try {
    const hit = decode(await readFile(file), texts.length);
    if (hit) return hit;
    log.warn('text embedding cache file is damaged; encoding again', { file });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('text embedding cache unreadable', { file, error: String(error) });
  }
  const started = performance.now();
  const embeddings = await encoder.encodeTexts(texts);
  log.info('text embeddings computed', { texts: texts.length, ms: Math.round(performance.now() - started), file });
  const dim = embeddings[0]?.length ?? 0;
  const bytes = Buffer.alloc(12 + texts.length * dim * 4);
  bytes.writeUInt32LE(MAGIC, 0);
  bytes.writeUInt32LE(texts.length, 4);
  bytes.writeUInt32LE(dim, 8);
  embeddings.forEach((e, k) => Buffer.from(e.buffer, e.byteOffset, e.byteLength).copy(bytes, 12 + k * dim * 4));
  const temp = `${file}.${process.pid}.part`;
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(temp, bytes);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    log.warn('text embeddings not cached', { file, error: error instanceof Error ? error.message : String(error) });
  }
  return embeddings;
}
