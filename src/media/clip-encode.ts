/**
 * Re-encodes a clip with regions blurred (I/O): the filter graph goes into a script file (a long clip
 * has many pieces), ffmpeg writes a temporary file that is renamed when complete, never half-written.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FfmpegBinaries } from './binaries.js';
import { blurFilterGraph, clipColourFilters, encodeClipArgs, type BlurPiece, type ClipEncoding } from './clip-encode-args.js';
import { tempName } from './extract.js';
import { needsToneMap, type ColourInfo } from './ffmpeg-args.js';
import { filterSupport, runTool } from './process-runner.js';
import type { VideoInfo } from './types.js';

/**
 * Writes `input` (described by `info`) to `outPath` at `size`, H.264 with its index up front, every
 * piece blurred (times in display ms of `input`); an HDR input comes out SDR BT.709, as its photos.
 */
export async function encodeBlurredClip(
  input: string,
  info: Pick<VideoInfo, 'streamStartMs' | 'fileStartMs'> & ColourInfo,
  pieces: readonly BlurPiece[],
  outPath: string,
  binaries: FfmpegBinaries,
  options: ClipEncoding & { size: { width: number; height: number }; signal?: AbortSignal; background?: boolean },
): Promise<void> {
  const path = resolve(input);
  const graph = tempName(outPath, '.ffgraph');
  const temp = tempName(outPath, '.mp4');
  try {
    const hdr = needsToneMap(info);
    const colour = hdr ? clipColourFilters(info, await filterSupport(binaries)) : [];
    await writeFile(graph, blurFilterGraph(pieces, options.size, info.streamStartMs - info.fileStartMs, colour));
    await runTool(binaries.ffmpeg, encodeClipArgs(path, graph, temp, { ...options, bt709: hdr }), { signal: options.signal, stage: 'decode', file: path, background: options.background });
    await rename(temp, outPath);
  } finally {
    await Promise.all([rm(graph, { force: true }), rm(temp, { force: true })]);
  }
}
