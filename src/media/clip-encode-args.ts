/**
 * The per-car clip re-encoded with regions blurred (pure argument builders): one ffmpeg filter graph
 * scales the clip, then each lane of blur pieces crops a moving rectangle, blurs it and lays it back
 * over the frame while a piece lasts; H.264 with the index up front, audio as AAC.
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

/** Pieces that take turns in one crop, blur and overlay: one size and sigma, in time order, none overlapping another. */
export interface BlurLane {
  width: number;
  height: number;
  sigma: number;
  pieces: BlurPiece[];
}

/** How much larger than a piece its lane's rectangle and sigma may be: more is blurred, never less. */
const LANE_SLACK = 1.25;

/**
 * The pieces grouped into lanes. ffmpeg runs every blur branch of the graph on every frame of the
 * clip, so one branch per piece made a clip's encode cost grow with its length squared (2 minutes with
 * a plate in view, 240 pieces: 4 times the encode without them); a lane is one branch whose rectangle
 * moves from piece to piece. A piece joins the first lane free by its start whose size and sigma stay
 * within LANE_SLACK of its own; the lane grows (each piece centred in it) to the largest of its pieces.
 */
export function blurLanes(pieces: readonly BlurPiece[]): BlurLane[] {
  const lanes: { pieces: BlurPiece[]; endMs: number }[] = [];
  const within = (values: number[]) => Math.max(...values) <= LANE_SLACK * Math.min(...values);
  for (const p of [...pieces].sort((a, b) => a.fromMs - b.fromMs)) {
    const lane = lanes.find(
      (l) =>
        l.endMs <= p.fromMs &&
        within([p.width, ...l.pieces.map((q) => q.width)]) &&
        within([p.height, ...l.pieces.map((q) => q.height)]) &&
        within([p.sigma, ...l.pieces.map((q) => q.sigma)]),
    );
    if (lane) {
      lane.pieces.push(p);
      lane.endMs = p.toMs;
    } else lanes.push({ pieces: [p], endMs: p.toMs });
  }
  return lanes.map(({ pieces: own }) => {
    const [width, height, sigma] = [Math.max(...own.map((p) => p.width)), Math.max(...own.map((p) => p.height)), Math.max(...own.map((p) => p.sigma))];
    const centred = (p: BlurPiece, at: { x: number; y: number }) => ({ x: at.x - (width - p.width) / 2, y: at.y - (height - p.height) / 2 });
    return { width, height, sigma, pieces: own.map((p) => ({ ...p, width, height, sigma, from: centred(p, p.from), to: centred(p, p.to) })) };
  });
}

/** ffmpeg expression: `a` at `t0`, `b` at `t1`, a straight line between (seconds on the filter clock), kept within [0, max]. */
function moving(a: number, b: number, t0: number, t1: number, max: number): string {
  const line = a === b || t1 <= t0 ? num(a) : `${num(a)}+${num(b - a)}*clip((t-${num(t0)})/${num(t1 - t0)},0,1)`;
  return `clip(${line},0,${num(Math.max(0, max))})`;
}

/** One expression of the filter clock `t` that is each piece's (in time order) from its start: a balanced tree of if(), so a frame evaluates a few. */
function byTime(pieces: readonly { startS: number; expression: string }[]): string {
  if (pieces.length === 1) return pieces[0].expression;
  const mid = Math.floor(pieces.length / 2);
  return `if(lt(t,${num(pieces[mid].startS)}),${byTime(pieces.slice(0, mid))},${byTime(pieces.slice(mid))})`;
}

/** When a lane blurs: the pieces' spans, those that touch joined. */
function lanePeriods(spans: readonly { startS: number; endS: number }[]): string {
  const periods: { startS: number; endS: number }[] = [];
  for (const span of spans) {
    const last = periods.at(-1);
    if (last && span.startS <= last.endS) last.endS = Math.max(last.endS, span.endS);
    else periods.push({ ...span });
  }
  return periods.map((p) => `between(t,${num(p.startS)},${num(p.endS)})`).join('+');
}

/**
 * The filter graph (for -filter_complex_script) from input [0:v] to [v]: `colour` filters (see
 * clipColourFilters), scaled to `size`, then the pieces, in lanes (see blurLanes), cropped, blurred
 * and laid back while a piece lasts. `clockOffsetMs` turns the clip's display ms into the filter clock
 * (stream start minus file start: ffmpeg counts filter time from the file's start).
 */
export function blurFilterGraph(pieces: readonly BlurPiece[], size: { width: number; height: number }, clockOffsetMs: number, colour: readonly string[] = []): string {
  return lanesFilterGraph(blurLanes(pieces), size, clockOffsetMs, colour);
}

/** The filter graph of blurFilterGraph for lanes given (one branch each). */
export function lanesFilterGraph(lanes: readonly BlurLane[], size: { width: number; height: number }, clockOffsetMs: number, colour: readonly string[] = []): string {
  const scale = [...colour, `scale=${size.width}:${size.height}:flags=bicubic`, 'setsar=1', 'format=yuv420p'].join(',');
  if (lanes.length === 0) return `[0:v]${scale}[v]\n`;
  const lines = [`[0:v]${scale},split=${lanes.length + 1}[base]${lanes.map((_, i) => `[p${i}]`).join('')};`];
  let under = 'base';
  lanes.forEach((lane, i) => {
    const w = Math.min(even(lane.width), size.width - (size.width % 2));
    const h = Math.min(even(lane.height), size.height - (size.height % 2));
    const spans = lane.pieces.map((p) => ({ piece: p, startS: (p.fromMs + clockOffsetMs) / 1000, endS: (p.toMs + clockOffsetMs) / 1000 }));
    const x = byTime(spans.map((s) => ({ startS: s.startS, expression: moving(s.piece.from.x, s.piece.to.x, s.startS, s.endS, size.width - w) })));
    const y = byTime(spans.map((s) => ({ startS: s.startS, expression: moving(s.piece.from.y, s.piece.to.y, s.startS, s.endS, size.height - h) })));
    const when = `enable='${lanePeriods(spans)}'`;
    const out = i === lanes.length - 1 ? 'v' : `o${i}`;
    lines.push(`[p${i}]crop=w=${w}:h=${h}:x='${x}':y='${y}',gblur=sigma=${num(Math.max(1, lane.sigma))}:${when}[b${i}];`);
    lines.push(`[${under}][b${i}]overlay=x='${x}':y='${y}':eof_action=pass:${when}[${out}]${out === 'v' ? '' : ';'}`);
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
