/**
 * The per-car clip re-encoded with regions blurred (pure argument builders): one ffmpeg filter graph
 * scales the clip, then each blur piece crops a moving rectangle, blurs it and lays it back over the
 * frame while the piece lasts; H.264 with the index up front, audio as AAC.
 */
import { LotreelError } from '../core/errors.js';
import { inputPath, needsToneMap, toneMapToBt709, type ColourInfo, type FilterSupport } from './ffmpeg-args.js';

/**
 * A rectangle blurred from `fromMs` to `toMs` (display ms of the clip) while its top-left corner moves
 * in a straight line from `from` to `to`; sizes and positions in output pixels.
 */
export interface BlurPiece {
  fromMs: number;
  toMs: number;
  width: number;
  height: number;
  from: { x: number; y: number };
  to: { x: number; y: number };
  /** Gaussian sigma, output pixels. */
  sigma: number;
}

export interface ClipEncoding {
  crf: number;
  preset: string;
}

/**
 * Filters that first bring an HDR (or 10-bit wide-gamut) clip to 8-bit BT.709 as the photos are
 * (tone mapped with zscale; without it at least the right matrix); none for an SDR clip. A phone's HDR
 * clip left as it is plays washed out in a listing's H.264 player.
 */
export function clipColourFilters(info: ColourInfo, support: Pick<FilterSupport, 'zscale'>): string[] {
  if (!needsToneMap(info)) return [];
  return support.zscale ? toneMapToBt709(info) : ['scale=iw:ih:in_color_matrix=bt2020:out_color_matrix=bt709'];
}

/** Output size with the shorter side at most `shortSide` (never upscaled), aspect kept, both sides even. */
export function clipSize(width: number, height: number, shortSide: number): { width: number; height: number } {
  const s = Math.min(1, shortSide / Math.min(width, height));
  const even = (v: number) => Math.max(2, 2 * Math.round((v * s) / 2));
  return { width: even(width), height: even(height) };
}

const num = (v: number) => String(Math.round(v * 1000) / 1000);
const even = (v: number) => Math.max(2, 2 * Math.ceil(v / 2));

/** ffmpeg expression: `a` at `t0`, `b` at `t1`, a straight line between (seconds on the filter clock), kept within [0, max]. */
function moving(a: number, b: number, t0: number, t1: number, max: number): string {
  const line = a === b || t1 <= t0 ? num(a) : `${num(a)}+${num(b - a)}*clip((t-${num(t0)})/${num(t1 - t0)},0,1)`;
  return `'clip(${line},0,${num(Math.max(0, max))})'`;
}

/**
 * The filter graph (for -filter_complex_script) from input [0:v] to [v]: `colour` filters (see
 * clipColourFilters), scaled to `size`, then every piece blurred. `clockOffsetMs` turns the clip's
 * display ms into the filter clock (stream start minus file start: ffmpeg counts filter time from the
 * file's start).
 */
export function blurFilterGraph(pieces: readonly BlurPiece[], size: { width: number; height: number }, clockOffsetMs: number, colour: readonly string[] = []): string {
  const scale = [...colour, `scale=${size.width}:${size.height}:flags=bicubic`, 'setsar=1', 'format=yuv420p'].join(',');
  if (pieces.length === 0) return `[0:v]${scale}[v]\n`;
  const lines = [`[0:v]${scale},split=${pieces.length + 1}[base]${pieces.map((_, i) => `[p${i}]`).join('')};`];
  let under = 'base';
  pieces.forEach((piece, i) => {
    const w = Math.min(even(piece.width), size.width - (size.width % 2));
    const h = Math.min(even(piece.height), size.height - (size.height % 2));
    const t0 = (piece.fromMs + clockOffsetMs) / 1000;
    const t1 = (piece.toMs + clockOffsetMs) / 1000;
    const x = moving(piece.from.x, piece.to.x, t0, t1, size.width - w);
    const y = moving(piece.from.y, piece.to.y, t0, t1, size.height - h);
    const when = `enable='between(t,${num(t0)},${num(t1)})'`;
    const out = i === pieces.length - 1 ? 'v' : `o${i}`;
    lines.push(`[p${i}]crop=w=${w}:h=${h}:x=${x}:y=${y},gblur=sigma=${num(Math.max(1, piece.sigma))}:${when}[b${i}];`);
    lines.push(`[${under}][b${i}]overlay=x=${x}:y=${y}:eof_action=pass:${when}[${out}]${out === 'v' ? '' : ';'}`);
    under = out;
  });
  return lines.join('\n') + '\n';
}

/**
 * ffmpeg arguments: `input` through the graph in `graphPath` to H.264/AAC MP4 at `outPath`, index up
 * front; `bt709` tags the output so (after colour filters converted it).
 */
export function encodeClipArgs(input: string, graphPath: string, outPath: string, encoding: ClipEncoding & { bt709?: boolean }): string[] {
  if (!/^[a-z]+$/.test(encoding.preset)) throw new LotreelError('INVALID_ARGUMENT', `not an x264 preset: ${encoding.preset}`);
  const tags = encoding.bt709 ? ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'] : [];
  return [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
    '-i', inputPath(input),
    '-filter_complex_script', inputPath(graphPath),
    '-map', '[v]', '-map', '0:a?',
    '-c:v', 'libx264', '-preset', encoding.preset, '-crf', String(encoding.crf), '-pix_fmt', 'yuv420p', ...tags,
    '-c:a', 'aac', '-b:a', '128k',
    '-movflags', '+faststart',
    '-f', 'mp4', '-y', inputPath(outPath),
  ];
}
