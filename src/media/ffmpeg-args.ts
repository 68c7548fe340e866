/**
 * ffmpeg/ffprobe argument builders (pure). Every builder works on Debian's ffmpeg 5.1 and on the 2018
 * static build from @ffmpeg-installer (hence `-vsync passthrough`, never `-fps_mode`).
 * Times come in as display milliseconds and leave as ffmpeg seconds on the file's clock.
 */
import { isAbsolute } from 'node:path';
import type { SamplingSettings } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import type { Packet } from './probe-parse.js';
import type { SampleMode, SampleOptions, VideoInfo } from './types.js';

/** What the ffmpeg build offers beyond the basics. */
export interface FilterSupport {
  zscale: boolean;
  /** Crossfades between two videos (ffmpeg 4.3+; the 2018 static build lacks it). */
  xfade: boolean;
}

export interface ClipSegment {
  startMs: number;
  endMs: number;
}

const QUIET = ['-hide_banner', '-nostdin', '-nostats'];

/** A path ffmpeg cannot mistake for an option ("-x.mp4") or a protocol ("concat:..."). */
export function inputPath(file: string): string {
  return isAbsolute(file) ? file : `./${file}`;
}

/** Milliseconds -> ffmpeg seconds ("1.9", never exponent notation). */
export function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(6).replace(/\.?0+$/, '');
}

export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', inputPath(file)];
}

/**
 * Packet times and key flags of one stream, read without decoding: `limitSec` seconds from `fromSec`
 * (the demuxer seeks there first), or the whole stream.
 */
export function packetScanArgs(file: string, streamIndex: number, limitSec?: number, fromSec?: number): string[] {
  const from = fromSec === undefined ? '' : seconds(fromSec * 1000);
  return [
    '-v', 'error',
    ...(limitSec === undefined ? [] : ['-read_intervals', `${from}%+${limitSec}`]),
    '-select_streams', String(streamIndex),
    '-show_entries', 'packet=pts_time,dts_time,flags',
    '-print_format', 'json=c=1',
    inputPath(file),
  ];
}

/** Keyframes when they come often enough, else a fixed rate (settings live in config). */
export function chooseSampleMode(info: VideoInfo, settings: Pick<SamplingSettings, 'maxKeyframeIntervalMs' | 'sampleFps'>): SampleMode {
  const gap = info.maxKeyframeIntervalMs;
  return gap !== null && gap <= settings.maxKeyframeIntervalMs ? { kind: 'keyframes' } : { kind: 'rate', fps: settings.sampleFps };
}

/** Output size with the long side at most `longSide` (never upscaled), aspect kept, both sides even. */
export function scaledSize(width: number, height: number, longSide: number): { width: number; height: number } {
  const s = Math.min(1, longSide / Math.max(width, height));
  const even = (v: number) => Math.max(2, 2 * Math.round((v * s) / 2));
  return { width: even(width), height: even(height) };
}

/** What a video's colours are, as far as converting them goes. */
export type ColourInfo = Pick<VideoInfo, 'colorTransfer' | 'colorPrimaries' | 'colorSpace' | 'colorRange' | 'bitDepth'>;

/** PQ and HLG need tone mapping; so does 10-bit BT.2020 (wide gamut) even when tagged SDR. */
export function needsToneMap(info: ColourInfo): boolean {
  const t = info.colorTransfer;
  return t === 'smpte2084' || t === 'arib-std-b67' || (info.bitDepth > 8 && info.colorPrimaries === 'bt2020');
}

/**
 * The YCbCr matrix for swscale. Tagged streams use their tag; untagged ones follow the usual convention
 * (HD and up BT.709, SD BT.601). swscale's own default is BT.601 for everything, which tints HD video.
 */
export function yuvMatrixOf(info: VideoInfo): 'bt709' | 'bt601' | 'bt2020' | 'fcc' | 'smpte240m' {
  switch (info.colorSpace) {
    case 'bt709':
      return 'bt709';
    case 'bt470bg':
    case 'smpte170m':
    case 'bt601':
      return 'bt601';
    case 'bt2020nc':
    case 'bt2020c':
      return 'bt2020';
    case 'fcc':
      return 'fcc';
    case 'smpte240m':
      return 'smpte240m';
    default:
      return info.codedWidth >= 1280 || info.codedHeight >= 720 ? 'bt709' : 'bt601';
  }
}

/**
 * HDR (or wide-gamut 10-bit) to 8-bit BT.709 YCbCr with zscale: linearise, map BT.2020 to BT.709
 * primaries, tone map (hable keeps highlights), back to BT.709. Only for `needsToneMap` videos.
 */
export function toneMapToBt709(info: ColourInfo): string[] {
  const tin = info.colorTransfer === 'arib-std-b67' || info.colorTransfer === 'smpte2084' ? info.colorTransfer : 'bt709';
  const min = info.colorSpace === 'bt2020c' ? 'bt2020c' : 'bt2020nc';
  const rin = info.colorRange === 'pc' ? 'pc' : 'tv';
  return [
    `zscale=tin=${tin}:min=${min}:pin=bt2020:rin=${rin}:t=linear:npl=100`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    'tonemap=tonemap=hable:desat=0',
    'zscale=t=bt709:m=bt709:r=tv',
    'format=yuv420p',
  ];
}

/**
 * Filters from the decoded (already auto-rotated) picture to sRGB rgb24, optionally resized.
 * `size` null keeps full resolution. Stills get full chroma interpolation, analysis frames `area`
 * downscaling (no aliasing from 4K to 640).
 */
export function rgbFilters(info: VideoInfo, support: Pick<FilterSupport, 'zscale'>, size: { width: number; height: number } | null): string[] {
  const dims = size ? `${size.width}:${size.height}` : 'iw:ih';
  // Full-size photos interpolate chroma properly (no colour fringes); accurate_rnd costs a third more for ±1 level.
  const flags = size ? 'area' : 'bicubic+full_chroma_int';
  if (needsToneMap(info) && support.zscale) return [...toneMapToBt709(info), `scale=${dims}:in_color_matrix=bt709:flags=${flags}`, 'format=rgb24'];
  // Without zscale, HDR gets at least the right matrix (colours too flat, but not green/purple).
  const matrix = needsToneMap(info) ? 'bt2020' : yuvMatrixOf(info);
  return [`scale=${dims}:in_color_matrix=${matrix}:flags=${flags}`, 'format=rgb24'];
}

/** Rate mode keeps the first frame of each 1/fps slot: exact source timestamps, never a duplicate. */
function rateSelect(fps: number): string {
  const slot = (t: string) => `floor(${t}*${fps}+1e-6)`;
  return `select='isnan(prev_selected_t)+gte(${slot('t')},${slot('prev_selected_t')}+1)'`;
}

/** Keeps only frames whose pts (file clock, with -copyts) is within half a millisecond of one of `timesMs`. */
export function timestampSelect(timesMs: readonly number[], streamStartMs: number): string {
  const terms = [...new Set(timesMs)].map((ms) => `between(t,${seconds(ms + streamStartMs - 0.5)},${seconds(ms + streamStartMs + 0.5)})`);
  return `select='${terms.join('+')}'`;
}

/** Bytes of decoded frames ffmpeg may hold while the reader is busy. */
const OUTPUT_QUEUE_BYTES = 64 << 20;

/**
 * rgb24 frames to stdout through ffmpeg's fifo muxer: its queue lets ffmpeg keep decoding while the
 * reader is busy (inference blocks Node's event loop), where a bare pipe (64 KiB) would stall it.
 */
export function rawOutputThroughQueue(frameBytes: number): string[] {
  const queue = Math.max(2, Math.min(64, Math.floor(OUTPUT_QUEUE_BYTES / frameBytes)));
  return ['-c:v', 'rawvideo', '-pix_fmt', 'rgb24', '-f', 'fifo', '-fifo_format', 'rawvideo', '-queue_size', String(queue), 'pipe:1'];
}

export interface SamplerCommand {
  args: string[];
  width: number;
  height: number;
}

/**
 * One ffmpeg that writes upright rgb24 frames to stdout and, via showinfo on stderr, each frame's pts.
 * `-copyts` keeps pts on the file's clock. `-ss` before `-i` seeks fast (to the keyframe before) and
 * still drops earlier frames exactly; `-t` only bounds the read: it counts from the first kept frame,
 * so the sampler drops frames at or past `endMs` itself. Keyframe mode skips non-key frames in the
 * decoder (about ten times cheaper).
 */
export function samplerArgs(file: string, info: VideoInfo, options: Omit<SampleOptions, 'batchSize' | 'signal' | 'stills' | 'stats'> & { fullSize?: boolean }, support: Pick<FilterSupport, 'zscale'>): SamplerCommand {
  const { width, height } = scaledSize(info.width, info.height, options.longSide);
  const startMs = options.startMs ?? 0;
  if (options.endMs !== undefined && options.endMs <= startMs) {
    throw new LotreelError('INVALID_ARGUMENT', `sample window is empty (${startMs}..${options.endMs} ms)`);
  }
  const selects = [
    ...(options.mode.kind === 'rate' ? [rateSelect(options.mode.fps)] : []),
    ...(options.onlyAtMs ? [timestampSelect(options.onlyAtMs, info.streamStartMs)] : []),
  ];
  const output = options.fullSize
    ? fullSizeSplit(info, support, selects, { width, height })
    : ['-map', `0:${info.streamIndex}`, '-an', '-sn', '-dn', '-vsync', 'passthrough', '-vf', [...selects, ...rgbFilters(info, support, { width, height }), 'showinfo'].join(','), ...rawOutputThroughQueue(width * height * 3)];
  const args = [
    ...QUIET, '-loglevel', 'info', '-copyts',
    ...(options.mode.kind === 'keyframes' ? ['-skip_frame', 'nokey'] : options.roughDecode ? ['-skip_frame', 'noref'] : []),
    ...(options.roughDecode ? ['-skip_loop_filter', 'all'] : []),
    ...(startMs > 0 ? ['-ss', seconds(startMs + info.streamStartMs - info.fileStartMs)] : []),
    ...(options.endMs !== undefined ? ['-t', seconds(options.endMs - startMs)] : []),
    '-i', inputPath(file),
    ...output,
  ];
  return { args, width, height };
}

/**
 * One decode, two outputs: the frames scaled to `size` on stdout and the same frames at full size on
 * fd 3, each through its own queue. What both share (selection, tone mapping) runs once, and showinfo
 * before the split prints one line per frame for both.
 */
function fullSizeSplit(info: VideoInfo, support: Pick<FilterSupport, 'zscale'>, selects: string[], size: { width: number; height: number }): string[] {
  const scaled = rgbFilters(info, support, size);
  // The same chain as a full-size still (extractKeyframeStills), so photos come out as they did.
  const full = rgbFilters(info, support, { width: info.width, height: info.height });
  const common = [...selects, ...scaled.slice(0, -2), 'showinfo', 'split=2'];
  const graph = `[0:${info.streamIndex}]${common.join(',')}[a][b];[a]${scaled.slice(-2).join(',')}[scaled];[b]${full.slice(-2).join(',')}[full]`;
  const out = (label: string, bytes: number, pipe: string) => ['-map', label, '-an', '-sn', '-dn', '-vsync', 'passthrough', ...rawOutputThroughQueue(bytes).slice(0, -1), pipe];
  return ['-filter_complex', graph, ...out('[scaled]', size.width * size.height * 3, 'pipe:1'), ...out('[full]', info.width * info.height * 3, 'pipe:3')];
}

/**
 * One full-resolution upright rgb24 frame: the first frame at or after `timestampMs` (0.5 ms earlier, so
 * a timestamp rounded up from the true pts still finds its frame). `-ss` before `-i` seeks to the
 * keyframe before and decodes forward: fast and exact.
 */
export function stillArgs(file: string, info: VideoInfo, timestampMs: number, support: Pick<FilterSupport, 'zscale'>): SamplerCommand {
  const seekMs = timestampMs - 0.5 + info.streamStartMs - info.fileStartMs;
  const args = [
    ...QUIET, '-loglevel', 'error',
    ...(seekMs > 0 ? ['-ss', seconds(seekMs)] : []),
    '-i', inputPath(file),
    '-map', `0:${info.streamIndex}`, '-an', '-sn', '-dn',
    '-frames:v', '1',
    '-vf', rgbFilters(info, support, null).join(','),
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  return { args, width: info.width, height: info.height };
}

/** One stretch of the source for the concat demuxer, on the file's clock (seconds). */
export interface ClipPart {
  inpointSec: number;
  /** dts of the keyframe that ends the part: the demuxer stops there, after whole GOPs. Absent: to the end. */
  outpointSec?: number;
  /** pts span of the part, so the next part starts right after it. */
  durationSec?: number;
}

/**
 * Snaps each segment outwards to keyframes: in at the keyframe at or before its start, out at the
 * first keyframe at or after its end, so every part is whole GOPs (stream copy cannot cut inside one).
 * Overlapping or touching parts merge.
 */
export function planClip(segments: readonly ClipSegment[], packets: readonly Packet[], streamStartMs: number): ClipPart[] {
  const keys = packets.filter((p) => p.key).sort((a, b) => a.ptsSec - b.ptsSec);
  if (keys.length === 0) throw new LotreelError('INPUT_CORRUPT', 'the video has no keyframes to cut at');
  const spans: { from: Packet; to: Packet | undefined }[] = [];
  for (const seg of [...segments].sort((a, b) => a.startMs - b.startMs)) {
    if (!(seg.endMs > seg.startMs)) throw new LotreelError('INVALID_ARGUMENT', `clip segment ${seg.startMs}..${seg.endMs} ms is empty`);
    const startSec = (seg.startMs + streamStartMs) / 1000 + 1e-6;
    const endSec = (seg.endMs + streamStartMs) / 1000 - 1e-6;
    const from = [...keys].reverse().find((k) => k.ptsSec <= startSec) ?? keys[0];
    const to = keys.find((k) => k.ptsSec >= endSec && k.ptsSec > from.ptsSec);
    const last = spans[spans.length - 1];
    if (last && (!last.to || from.ptsSec <= last.to.ptsSec)) {
      if (last.to && (!to || to.ptsSec > last.to.ptsSec)) last.to = to;
    } else {
      spans.push({ from, to });
    }
  }
  return spans.map(({ from, to }) =>
    to ? { inpointSec: from.ptsSec, outpointSec: to.dtsSec, durationSec: to.ptsSec - from.ptsSec } : { inpointSec: from.ptsSec },
  );
}

/** The concat demuxer script for `planClip`'s parts, all from one file. */
export function concatScript(file: string, parts: readonly ClipPart[]): string {
  // Relative paths in a script resolve against the script's folder, so only absolute ones are safe.
  if (!isAbsolute(file) || /[\n\r]/.test(file)) throw new LotreelError('INVALID_ARGUMENT', `cannot cut ${JSON.stringify(file)}: need an absolute path without line breaks`);
  const quoted = `'${file.replace(/'/g, `'\\''`)}'`;
  const s = (sec: number) => String(Number(sec.toFixed(6)));
  const lines = ['ffconcat version 1.0'];
  for (const p of parts) {
    lines.push(`file ${quoted}`, `inpoint ${s(p.inpointSec)}`);
    if (p.outpointSec !== undefined) lines.push(`outpoint ${s(p.outpointSec)}`);
    if (p.durationSec !== undefined) lines.push(`duration ${s(p.durationSec)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Stream copy (no re-encode) of the concat script into MP4 with the index up front. No
 * `-avoid_negative_ts make_zero`: on MP4 it shifts the first frame by the B-frame delay (0.2 s on the
 * EPFL clips); the MP4 muxer handles negative dts with an edit list on both ffmpeg builds.
 */
export function cutClipArgs(listPath: string, outPath: string, info: Pick<VideoInfo, 'streamIndex' | 'codec'>): string[] {
  return [
    ...QUIET, '-loglevel', 'error',
    '-f', 'concat', '-safe', '0', '-i', inputPath(listPath),
    '-map', `0:${info.streamIndex}`, '-map', '0:a?',
    '-c', 'copy',
    ...(info.codec === 'hevc' ? ['-tag:v', 'hvc1'] : []), // Apple players want hvc1
    '-movflags', '+faststart',
    '-f', 'mp4', '-y', inputPath(outPath),
  ];
}
