/**
 * Full-resolution stills (ffmpeg decodes one upright rgb24 frame, sharp writes the JPEG) and clip cutting
 * by stream copy (I/O). Outputs are written to a temporary name and renamed: never half-written.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { LotreelError } from '../core/errors.js';
import type { FfmpegBinaries } from './binaries.js';
import { concatScript, cutClipArgs, needsToneMap, packetScanArgs, planClip, stillArgs, type ClipSegment } from './ffmpeg-args.js';
import { abortedError, filterSupport, runTool, runToolJson } from './process-runner.js';
import { packetsOf, type ProbePackets } from './probe-parse.js';
import { tempName, writeJpeg } from './jpeg.js';

/** A name beside `outPath` for a file being written (now in jpeg.ts; kept here for the clip encoder). */
export { tempName };
import { probe } from './probe.js';
import { sampleFrames } from './sampler.js';
import type { VideoInfo } from './types.js';

async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true });
}

export interface StillOptions {
  /** JPEG quality, 1-100. */
  quality?: number;
  signal?: AbortSignal;
  /** extractStills: called with the number of stills written so far, after each one. */
  onDone?: (done: number) => void;
}

export interface StillRequest {
  timestampMs: number;
  outPath: string;
}

export interface WrittenStill extends StillRequest {
  width: number;
  height: number;
}

/**
 * Writes the frame shown at `timestampMs` (the first frame at or after it) as an upright, full-size
 * sRGB JPEG without EXIF orientation. Returns the picture size.
 */
export async function extractStill(
  file: string,
  info: VideoInfo,
  timestampMs: number,
  outPath: string,
  options: StillOptions,
  binaries: FfmpegBinaries,
): Promise<{ width: number; height: number }> {
  const { quality = 90, signal } = options;
  const support = needsToneMap(info) ? await filterSupport(binaries) : { zscale: false };
  const path = resolve(file);
  const { args, width, height } = stillArgs(path, info, timestampMs, support);
  const raw = await runTool(binaries.ffmpeg, args, { signal, stage: 'decode', file: path });
  if (raw.length === 0) {
    throw new LotreelError('INVALID_ARGUMENT', `${basename(file)} has no frame at ${timestampMs} ms (it lasts ${info.durationMs} ms)`);
  }
  if (raw.length < width * height * 3) {
    throw new LotreelError('INPUT_CORRUPT', `${basename(file)}: the frame at ${timestampMs} ms is incomplete`);
  }
  await writeJpeg(raw.subarray(0, width * height * 3), width, height, outPath, quality);
  return { width, height };
}

/**
 * Stills at keyframe times in ONE keyframe-only decode of the file: far cheaper than a seek and a
 * process per still. Every requested time must be a keyframe's display time (as the keyframe sampler
 * reported it); a time with no keyframe is an error.
 */
export async function extractKeyframeStills(
  file: string,
  info: VideoInfo,
  requests: readonly StillRequest[],
  options: StillOptions,
  binaries: FfmpegBinaries,
): Promise<WrittenStill[]> {
  if (requests.length === 0) return [];
  const { quality = 90, signal } = options;
  const results: WrittenStill[] = new Array(requests.length);
  const wanted = requests.map((r) => r.timestampMs);
  const frames = sampleFrames(file, info, { mode: { kind: 'keyframes' }, longSide: Math.max(info.width, info.height), batchSize: 1, onlyAtMs: wanted, signal }, binaries);
  let done = 0;
  // JPEG encoding runs on libuv's threads: up to two frames encode while the next one is decoded.
  const encoding = new Set<Promise<void>>();
  try {
    for await (const [frame] of frames) {
      for (let i = 0; i < requests.length; i++) {
        if (results[i] || Math.abs(requests[i].timestampMs - frame.timestampMs) >= 1) continue;
        results[i] = { ...requests[i], width: frame.width, height: frame.height };
        const write = writeJpeg(frame.data, frame.width, frame.height, requests[i].outPath, quality).then(() => {
          encoding.delete(write);
          options.onDone?.(++done);
        });
        write.catch(() => undefined); // a failure surfaces through the awaits below
        encoding.add(write);
        if (encoding.size >= 2) await Promise.race(encoding);
      }
    }
  } finally {
    await Promise.allSettled(encoding);
  }
  await Promise.all(encoding);
  const missing = requests.filter((_, i) => !results[i]).map((r) => r.timestampMs);
  if (missing.length > 0) throw new LotreelError('INVALID_ARGUMENT', `${basename(file)} has no keyframe at ${missing.join(', ')} ms`);
  return results;
}

/** Many stills, two ffmpeg processes at a time; results in request order. The first failure stops the rest. */
export async function extractStills(
  file: string,
  info: VideoInfo,
  requests: readonly StillRequest[],
  options: StillOptions,
  binaries: FfmpegBinaries,
): Promise<WrittenStill[]> {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const results: WrittenStill[] = new Array(requests.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      const { timestampMs, outPath } = requests[i];
      const size = await extractStill(file, info, timestampMs, outPath, { ...options, signal }, binaries);
      results[i] = { timestampMs, outPath, ...size };
      options.onDone?.(++done);
    }
  };
  const workers = [worker(), worker()];
  try {
    await Promise.all(workers);
  } catch (error: unknown) {
    stop.abort();
    await Promise.allSettled(workers);
    // Our own stop aborts the sibling; report the real failure, or ABORTED when the caller aborted.
    throw options.signal?.aborted ? abortedError() : error;
  }
  return results;
}

/**
 * Copies `segments` (display ms) of `file` into one MP4 without re-encoding. Each segment is widened to
 * whole GOPs (in at the keyframe at or before its start, out at the keyframe at or after its end);
 * overlapping ones merge. Returns the stretches actually copied, in display ms.
 */
export async function cutClip(
  file: string,
  segments: readonly ClipSegment[],
  outPath: string,
  binaries: FfmpegBinaries,
  options: { signal?: AbortSignal; info?: VideoInfo } = {},
): Promise<{ segments: ClipSegment[] }> {
  if (segments.length === 0) throw new LotreelError('INVALID_ARGUMENT', 'cutClip needs at least one segment');
  const path = resolve(file);
  const { signal } = options;
  const info = options.info ?? (await probe(path, binaries, { signal }));
  // Only the stretch around the segments is scanned: a long video's packets are not all read per clip.
  const marginSec = Math.max(5, (2 * (info.maxKeyframeIntervalMs ?? 2500)) / 1000);
  const fromSec = Math.max(0, (Math.min(...segments.map((s) => s.startMs)) + info.streamStartMs) / 1000 - marginSec);
  const toSec = (Math.max(...segments.map((s) => s.endMs)) + info.streamStartMs) / 1000 + marginSec;
  const scanArgs = packetScanArgs(path, info.streamIndex, toSec - fromSec, fromSec);
  const scan = await runToolJson<ProbePackets>(binaries.ffprobe, scanArgs, { signal, stage: 'open', file: path });
  const parts = planClip(segments, packetsOf(scan), info.streamStartMs);
  const list = tempName(outPath, '.ffconcat');
  const temp = tempName(outPath, '.mp4');
  try {
    await writeFile(list, concatScript(path, parts));
    await runTool(binaries.ffmpeg, cutClipArgs(list, temp, info), { signal, stage: 'mux', file: path });
    await rename(temp, outPath);
  } finally {
    await Promise.all([removeQuietly(list), removeQuietly(temp)]);
  }
  const toMs = (sec: number) => Math.round(sec * 1000 - info.streamStartMs);
  return {
    segments: parts.map((p) => ({
      startMs: toMs(p.inpointSec),
      endMs: p.durationSec === undefined ? info.durationMs : toMs(p.inpointSec + p.durationSec),
    })),
  };
}
