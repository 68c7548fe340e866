/** probe(): what a video is (I/O: stat + two ffprobe runs; the parsing lives in probe-parse.ts). */
import { open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { LotreelError } from '../core/errors.js';
import type { FfmpegBinaries } from './binaries.js';
import { packetScanArgs, probeArgs } from './ffmpeg-args.js';
import { runToolJson } from './process-runner.js';
import { pickVideoStream, startsLikeMp4, videoInfoFromProbe, type ProbeOutput, type ProbePackets } from './probe-parse.js';
import type { VideoInfo } from './types.js';

/** Seconds of packets read (no decoding) to measure the keyframe interval. */
const KEYFRAME_SCAN_SEC = 30;

/** Existing, non-empty regular file, or INPUT_MISSING / INPUT_EMPTY / INPUT_NOT_VIDEO. Returns its size. */
export async function checkInputFile(file: string): Promise<number> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new LotreelError('INPUT_NOT_VIDEO', `${file} is not a file`);
    size = st.size;
  } catch (error: unknown) {
    if (error instanceof LotreelError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new LotreelError('INPUT_MISSING', `${file} does not exist`, { cause: error });
    throw new LotreelError('INPUT_MISSING', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (size === 0) throw new LotreelError('INPUT_EMPTY', `${basename(file)} is empty (0 bytes)`, { details: { file } });
  return size;
}

/**
 * "moov atom not found" means a truncated MP4 only if the file starts like one; garbage that is merely
 * named .mp4 gets the same message from ffprobe and is "not a video".
 */
async function notVideoUnlessMp4(error: unknown, path: string): Promise<unknown> {
  if (!(error instanceof LotreelError) || !/moov atom not found/.test(error.message)) return error;
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
    if (startsLikeMp4(buffer.subarray(0, bytesRead))) return error;
  } finally {
    await handle.close();
  }
  return new LotreelError('INPUT_NOT_VIDEO', `${basename(path)} is not a video (no MP4/MOV header)`, { cause: error, details: error.details });
}

export async function probe(file: string, binaries: FfmpegBinaries, options: { signal?: AbortSignal } = {}): Promise<VideoInfo> {
  const path = resolve(file);
  const sizeBytes = await checkInputFile(path);
  const run = <T>(args: string[]) => runToolJson<T>(binaries.ffprobe, args, { signal: options.signal, stage: 'open', file: path });
  let format: ProbeOutput;
  try {
    format = await run<ProbeOutput>(probeArgs(path));
  } catch (error: unknown) {
    throw await notVideoUnlessMp4(error, path);
  }
  const stream = pickVideoStream(format, path); // fail fast (audio only, image) before scanning packets
  const packets = await run<ProbePackets>(packetScanArgs(path, stream.index, KEYFRAME_SCAN_SEC));
  return videoInfoFromProbe(path, sizeBytes, format, packets);
}
