/**
 * sampleFrames(): one ffmpeg decoding to upright rgb24 frames on stdout, read with backpressure and
 * paired in order with the exact pts that showinfo prints on stderr for each frame (I/O).
 */
import type { Readable } from 'node:stream';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LotreelError } from '../core/errors.js';
import type { FfmpegBinaries } from './binaries.js';
import { needsToneMap, samplerArgs } from './ffmpeg-args.js';
import { looksTruncated, parseShowinfoLine, showinfoTimestampMs } from './ffmpeg-output.js';
import { abortedError, filterSupport, spawnTool, toolError } from './process-runner.js';
import { writeJpeg } from './jpeg.js';
import type { DecodeStats, Frame, SampleOptions, VideoInfo } from './types.js';

/**
 * Timestamps from stderr, consumed in frame order by one reader per output (the scaled frames, and the
 * full-size ones when asked for). stderr and stdout are separate pipes, so a frame's bytes may be read
 * before or after its showinfo line: whoever comes first waits.
 */
class TimestampQueue {
  private readonly stamps: number[] = [];
  private timebase: { num: number; den: number } | null = null;
  private closed = false;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly streamStartMs: number) {}

  line(line: string): void {
    const event = parseShowinfoLine(line);
    if (!event) return;
    if (event.kind === 'timebase') this.timebase = event;
    else this.stamps.push(showinfoTimestampMs(event, this.timebase, this.streamStartMs));
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  /** A reader: each call gives the next frame's timestamp, null when ffmpeg ended without one. */
  reader(): () => Promise<number | null> {
    let next = 0;
    return async () => {
      while (next >= this.stamps.length && !this.closed) await new Promise<void>((resolve) => this.wakers.add(resolve));
      return next < this.stamps.length ? this.stamps[next++] : null;
    };
  }
}

/**
 * Cuts a byte stream into frames of `size` bytes, each a fresh Uint8Array (never a view of a pipe
 * chunk). While the consumer holds a frame the stream is not read, so ffmpeg blocks on a full pipe
 * instead of memory filling up.
 */
async function* fixedSizeFrames(stream: Readable, size: number): AsyncGenerator<Uint8Array> {
  let frame = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let offset = 0; offset < chunk.length; ) {
      const n = Math.min(size - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === size) {
        yield frame;
        frame = new Uint8Array(size);
        filled = 0;
      }
    }
  }
}

/**
 * Decodes `file` (as described by `info`) into batches of `options.batchSize` upright RGB frames with
 * display timestamps. Breaking out of the loop kills ffmpeg; `options.signal` kills it and makes the
 * loop throw ABORTED. Non-zero exit -> INPUT_CORRUPT (or FFMPEG_FAILED); a file that ends early
 * yields what it has, then throws INPUT_CORRUPT saying where decoding stopped.
 */
export async function* sampleFrames(file: string, info: VideoInfo, options: SampleOptions, binaries: FfmpegBinaries): AsyncGenerator<Frame[], void, undefined> {
  const { signal } = options;
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new LotreelError('INVALID_ARGUMENT', `batchSize must be a positive integer, got ${options.batchSize}`);
  }
  if (signal?.aborted) throw abortedError();
  const support = needsToneMap(info) ? await filterSupport(binaries) : { zscale: false };
  const path = resolve(file);
  const { args, width, height } = samplerArgs(path, info, { ...options, fullSize: options.stills !== undefined }, support);
  const stamps = new TimestampQueue(info.streamStartMs);
  const proc = spawnTool(binaries.ffmpeg, args, { signal, onStderrLine: (line) => stamps.line(line), fd3: options.stills !== undefined, background: options.background });
  void proc.done.then(() => stamps.close());
  const stats = options.stats;
  if (stats) stats.runs++;
  const nextTimestamp = stamps.reader();
  // A failed still writer stops reading fd 3, which would stall ffmpeg: it is killed, and the writer's error reported.
  let stillsError: unknown = null;
  const writingStills =
    proc.fd3 && options.stills
      ? writeFullSizeStills(proc.fd3, info, options.stills, stamps.reader(), stats).catch((error: unknown) => {
          stillsError = error;
          proc.kill();
        })
      : null;

  let batch: Frame[] = [];
  let lastMs: number | null = null;
  let reachedEnd = false;
  try {
    try {
      for await (const data of fixedSizeFrames(proc.stdout, width * height * 3)) {
        const timestampMs = await nextTimestamp();
        if (timestampMs === null) throw new LotreelError('FFMPEG_FAILED', `ffmpeg gave a frame without a timestamp for ${basename(file)}`);
        // ffmpeg's input -t counts from the first frame it keeps, not from -ss, so it can overshoot
        // the window by up to a GOP; frames come in display order, so the first one past the end ends it.
        if (options.endMs !== undefined && timestampMs >= options.endMs) {
          reachedEnd = true;
          break;
        }
        batch.push({ timestampMs, width, height, data });
        if (stats) {
          stats.frames++;
          stats.bytes += data.length;
        }
        lastMs = timestampMs;
        if (batch.length === options.batchSize) {
          const full = batch;
          batch = [];
          yield full;
        }
      }
    } catch (error: unknown) {
      // Killing ffmpeg on abort destroys stdout, which the loop sees as a premature close.
      throw signal?.aborted ? abortedError() : (stillsError ?? error);
    }
    if (reachedEnd) proc.kill();
    const exit = await proc.done;
    await writingStills;
    if (stillsError) throw stillsError;
    const failure = reachedEnd ? null : toolError(binaries.ffmpeg, exit, 'decode', path, signal);
    if (failure) throw failure;
    if (batch.length > 0) yield batch;
    if (!reachedEnd && looksTruncated(exit.stderrTail)) {
      const where = lastMs === null ? 'before the first frame' : `after ${lastMs} ms`;
      throw new LotreelError('INPUT_CORRUPT', `${basename(file)} is incomplete (truncated): decoding stopped ${where} of ${info.durationMs} ms`, {
        details: { file, lastTimestampMs: lastMs, durationMs: info.durationMs, stderr: exit.stderrTail },
      });
    }
  } finally {
    proc.kill(); // no-op when it already exited; reaps it when the consumer broke out early
    await proc.done;
    await writingStills;
  }
}

/**
 * Writes each full-size frame from fd 3 as `<dir>/<timestampMs>.jpg`, JPEG encoding on libuv's threads
 * (two at a time) while the decoder goes on. Reads only as fast as it encodes: ffmpeg's queue for fd 3
 * bounds the memory.
 */
async function writeFullSizeStills(
  stream: Readable,
  info: VideoInfo,
  stills: NonNullable<SampleOptions['stills']>,
  nextTimestamp: () => Promise<number | null>,
  stats: DecodeStats | undefined,
): Promise<void> {
  await mkdir(stills.dir, { recursive: true });
  const encoding = new Set<Promise<void>>();
  try {
    for await (const data of fixedSizeFrames(stream, info.width * info.height * 3)) {
      const timestampMs = await nextTimestamp();
      if (timestampMs === null) break;
      if (stats) stats.bytes += data.length;
      const write = writeJpeg(data, info.width, info.height, join(stills.dir, `${timestampMs}.jpg`), stills.quality)
        .then(() => stills.onWritten?.(timestampMs))
        .finally(() => encoding.delete(write));
      write.catch(() => undefined); // awaited below
      encoding.add(write);
      if (encoding.size >= 2) await Promise.race(encoding);
    }
  } finally {
    await Promise.allSettled(encoding);
  }
  await Promise.all(encoding);
}
