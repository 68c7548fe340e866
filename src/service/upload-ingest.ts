/**
 * Finished tus uploads on their way to becoming queued videos. An upload is removed only once it is
 * queued (or was already: fingerprint dedup) or refused for good (not a video, too large: user
 * errors). Any other failure (storage, database, queue) keeps its bytes and metadata on disk and tries
 * again in this process with growing waits, a bounded number of times; an upload still there when the
 * service starts is tried again then. A client may also send the final (empty) PATCH again.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asLotreelError } from '../core/errors.js';
import type { ServiceContext } from './context.js';
import { displayFileName, ingestVideo, isPermanentRefusal, type IngestedVideo } from './ingest.js';

export interface FinishedUpload {
  /** The tus upload id: the file's name under the uploads folder. */
  id: string;
  dealerId: string;
  fileName: string;
}

/** Waits before the tries after a failed ingest; after the last, the upload waits for the next start. */
export const INGEST_RETRY_DELAYS_MS: readonly number[] = [2_000, 10_000, 60_000, 300_000, 900_000];

/** The dealer of an upload id: it starts with the dealer's uuid without its dashes (uploads.ts names them). */
export function dealerIdOfUpload(uploadId: string): string | null {
  const hex = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})[0-9a-f]{32}$/.exec(uploadId);
  return hex ? hex.slice(1).join('-') : null;
}

export class UploadIngester {
  readonly #ctx: ServiceContext;
  readonly #directory: string;
  readonly #delaysMs: readonly number[];
  readonly #running = new Map<string, Promise<IngestedVideo>>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(ctx: ServiceContext, directory: string, delaysMs: readonly number[] = INGEST_RETRY_DELAYS_MS) {
    this.#ctx = ctx;
    this.#directory = directory;
    this.#delaysMs = delaysMs;
  }

  /** Ingests a finished upload now, or joins the try under way; throws what that try threw. */
  ingest(upload: FinishedUpload): Promise<IngestedVideo> {
    const running = this.#running.get(upload.id);
    if (running) return running;
    clearTimeout(this.#timers.get(upload.id));
    this.#timers.delete(upload.id);
    const attempt = this.#attempt(upload).finally(() => this.#running.delete(upload.id));
    this.#running.set(upload.id, attempt);
    return attempt;
  }

  /** Finished uploads left by an earlier run (all bytes there, never queued), each tried again in turn. */
  async resumeFinished(): Promise<FinishedUpload[]> {
    const names = await readdir(this.#directory).catch(() => [] as string[]);
    const found: FinishedUpload[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const id = name.slice(0, -'.json'.length);
      const dealerId = dealerIdOfUpload(id);
      if (dealerId === null || this.#running.has(id)) continue;
      try {
        const info = JSON.parse(await readFile(join(this.#directory, name), 'utf8')) as { size?: number; metadata?: Record<string, string | null> };
        const bytes = await stat(join(this.#directory, id)).then((file) => file.size, () => null);
        if (bytes === null) {
          // Queued or refused, then stopped before its metadata went too.
          await rm(join(this.#directory, name), { force: true });
          continue;
        }
        if (typeof info.size !== 'number' || bytes !== info.size) continue; // unfinished: the client resumes it
        found.push({ id, dealerId, fileName: displayFileName(info.metadata?.filename ?? info.metadata?.name) });
        await this.#markFinished(id);
      } catch (error) {
        this.#ctx.log.warn('upload not readable', { upload: id, error: asLotreelError(error).message });
      }
    }
    if (found.length > 0) this.#ctx.log.info('finished uploads to queue again', { uploads: found.length });
    void (async () => {
      for (const upload of found) if (!this.#closed) await this.ingest(upload).catch(() => undefined); // failures are logged and rescheduled by #attempt
    })();
    return found;
  }

  /** Stops scheduling tries and waits for those under way; kept uploads stay on disk for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#running.values()]);
  }

  async #attempt(upload: FinishedUpload): Promise<IngestedVideo> {
    try {
      const video = await ingestVideo(this.#ctx, upload.dealerId, join(this.#directory, upload.id), upload.fileName);
      this.#failures.delete(upload.id);
      await this.#remove(upload.id);
      return video;
    } catch (error) {
      if (isPermanentRefusal(error)) {
        this.#ctx.log.info('finished upload refused and removed', { upload: upload.id, error: asLotreelError(error).message });
        this.#failures.delete(upload.id);
        await this.#remove(upload.id);
      } else {
        await this.#retryLater(upload, error);
      }
      throw error;
    }
  }

  async #retryLater(upload: FinishedUpload, error: unknown): Promise<void> {
    const failures = (this.#failures.get(upload.id) ?? 0) + 1;
    this.#failures.set(upload.id, failures);
    if (failures === 1) await this.#markFinished(upload.id);
    const delayMs = this.#delaysMs[failures - 1];
    const fields = { upload: upload.id, failures, error: asLotreelError(error).message };
    if (delayMs === undefined || this.#closed) {
      this.#ctx.log.error('finished upload not queued; kept for the next start', fields);
      return;
    }
    this.#ctx.log.warn('finished upload not queued; kept and tried again', { ...fields, inMs: delayMs });
    const timer = setTimeout(() => {
      this.#timers.delete(upload.id);
      this.ingest(upload).catch(() => undefined); // logged and rescheduled by #attempt
    }, delayMs);
    timer.unref();
    this.#timers.set(upload.id, timer);
  }

  /**
   * Records the upload's offset as its size in its tus metadata: the store's expiry removes uploads
   * whose recorded offset is short of their size, and a kept upload must outlive it.
   */
  async #markFinished(id: string): Promise<void> {
    const path = join(this.#directory, `${id}.json`);
    try {
      const info = JSON.parse(await readFile(path, 'utf8')) as { size?: number; offset?: number };
      if (typeof info.size === 'number' && info.offset !== info.size) await writeFile(path, JSON.stringify({ ...info, offset: info.size }));
    } catch (error) {
      this.#ctx.log.warn('kept upload not marked finished', { upload: id, error: asLotreelError(error).message });
    }
  }

  async #remove(id: string): Promise<void> {
    await rm(join(this.#directory, id), { force: true });
    await rm(join(this.#directory, `${id}.json`), { force: true });
  }
}
