/**
 * Renders a photo's edit state against its ORIGINAL frame with sharp (I/O). Nothing is ever written
 * over the original: the edits stay parameters and every render starts again from the original, so
 * the empty edit list gives back the original file's bytes.
 *
 * Stages: (1) decode, shrunk on load when a smaller render is asked for; (2) one turn by the total
 * angle, the cut-out and the tone map; (3) blurred regions composited on the result and the JPEG.
 */
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { EditorSettings } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import type { Box } from '../core/geometry.js';
import { planRender, type RenderPlan, type Size } from './geometry.js';
import { isOriginal, type EditState } from './fold.js';
import { composeTone, enhanceTone, greyHistogram, type LinearTone } from './tone.js';

export interface RenderOptions {
  /**
   * A preview: shrink by the largest power of two (up to 8) that keeps the long side at least this.
   * JPEG decoders shrink by 2, 4 and 8 while decoding, so such a render costs a fraction of a full one.
   * Default: full resolution.
   */
  previewLongSide?: number;
}

export interface RenderedPhoto {
  jpeg: Buffer;
  width: number;
  height: number;
  /** True when these are the original file's bytes (no edit, no resize). */
  original: boolean;
}

const ENHANCE_SAMPLES = 65_536;

/**
 * Decoded originals, most recently used last, up to a byte budget: a seller edits one photo several
 * times in a row, and decoding the JPEG is the largest single cost of a render. Keyed by path, file
 * time and size and the shrink, so a changed file is never served from here.
 */
class DecodedCache {
  readonly #entries = new Map<string, Buffer>();
  #bytes = 0;

  get(key: string): Buffer | undefined {
    const pixels = this.#entries.get(key);
    if (pixels !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, pixels);
    }
    return pixels;
  }

  set(key: string, pixels: Buffer, budget: number): void {
    if (pixels.length > budget) return;
    const earlier = this.#entries.get(key);
    if (earlier !== undefined) this.#bytes -= earlier.length;
    this.#entries.delete(key);
    this.#entries.set(key, pixels);
    this.#bytes += pixels.length;
    for (const [oldest, value] of this.#entries) {
      if (this.#bytes <= budget) break;
      this.#entries.delete(oldest);
      this.#bytes -= value.length;
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

const decodedOriginals = new DecodedCache();

/** Forgets every decoded original (benchmarks measure a cold render with it). */
export function clearDecodedOriginals(): void {
  decodedOriginals.clear();
}

function scaleBox(b: Box, f: number): Box {
  return { x1: b.x1 * f, y1: b.y1 * f, x2: b.x2 * f, y2: b.y2 * f };
}

/** The same edits on the original shrunk by `f` (boxes are in original pixels, so they scale with it). */
function scaledState(state: EditState, f: number): EditState {
  if (f === 1) return state;
  return { ...state, crop: state.crop && scaleBox(state.crop, f), blurRegions: state.blurRegions.map((b) => scaleBox(b, f)) };
}

/** Auto-enhance levels from the decoded photo: the luminance of about 64k of its pixels. */
function enhanceFor(rgb: Buffer, settings: EditorSettings): LinearTone {
  const pixels = rgb.length / 3;
  const step = Math.max(1, Math.floor(pixels / ENHANCE_SAMPLES));
  const grey = new Uint8Array(Math.ceil(pixels / step));
  for (let p = 0, i = 0; p < pixels; p += step, i++) {
    const o = p * 3;
    grey[i] = (rgb[o]! * 77 + rgb[o + 1]! * 150 + rgb[o + 2]! * 29) >> 8;
  }
  return enhanceTone(greyHistogram(grey), {
    lowPercentile: settings.enhanceLowPercentile,
    highPercentile: settings.enhanceHighPercentile,
    maxGain: settings.enhanceMaxGain,
  });
}

function invalidPhoto(path: string, cause: unknown): LotreelError {
  return new LotreelError('INPUT_CORRUPT', `the photo ${path} cannot be read`, { cause });
}

/**
 * The edited photo as a JPEG. `original` is the original frame's size (as stored with the photo);
 * a file of another size is refused rather than rendered with the wrong geometry.
 */
export async function renderPhoto(
  originalPath: string,
  original: Size,
  state: EditState,
  settings: EditorSettings,
  options: RenderOptions = {},
): Promise<RenderedPhoto> {
  let file: { mtimeMs: number; size: number };
  try {
    file = await stat(originalPath);
  } catch (error) {
    throw new LotreelError('INPUT_MISSING', `the photo ${originalPath} is missing`, { cause: error });
  }
  const fullPlan = planRender(state, original);
  const longSide = Math.max(fullPlan.output.width, fullPlan.output.height);
  let shrink = 1;
  while (options.previewLongSide !== undefined && shrink < 8 && longSide / (shrink * 2) >= options.previewLongSide) shrink *= 2;
  const f = 1 / shrink;
  if (f === 1 && isOriginal(state)) {
    const bytes = await readFile(originalPath);
    return { jpeg: bytes, width: original.width, height: original.height, original: true };
  }

  try {
    // Stage 1: decode to pixels, shrunk while decoding for a preview; kept for the photo's next edit.
    const size = { width: Math.max(1, Math.round(original.width * f)), height: Math.max(1, Math.round(original.height * f)) };
    const key = `${originalPath}\0${file.mtimeMs}\0${file.size}\0${original.width}x${original.height}\0${shrink}`;
    let pixels = decodedOriginals.get(key);
    if (pixels === undefined) {
      const input = await readFile(originalPath);
      const meta = await sharp(input).metadata();
      if (meta.width !== original.width || meta.height !== original.height) {
        throw new LotreelError('INVALID_ARGUMENT', `the photo ${originalPath} is ${meta.width}x${meta.height}, not ${original.width}x${original.height} as recorded`);
      }
      const decoder = sharp(input).removeAlpha().toColourspace('srgb');
      pixels = await (f === 1 ? decoder : decoder.resize(size.width, size.height, { fit: 'fill' })).raw().toBuffer();
      decodedOriginals.set(key, pixels, settings.decodedCacheBytes);
    }
    const tone = composeTone(state.enhance ? enhanceFor(pixels, settings) : null, state.brightness);
    const plan = f === 1 ? fullPlan : planRender(scaledState(state, f), size);
    return await turnCutTone(pixels, plan, tone, settings);
  } catch (error) {
    if (error instanceof LotreelError) throw error;
    throw invalidPhoto(originalPath, error);
  }
}

async function turnCutTone(pixels: Buffer, plan: RenderPlan, tone: LinearTone, settings: EditorSettings): Promise<RenderedPhoto> {
  const decoded = { raw: { width: plan.original.width, height: plan.original.height, channels: 3 as const } };
  // Stage 2, one pipeline: the source part is cut out first, so only pixels the output needs are turned.
  let image = sharp(pixels, decoded);
  if (plan.source) image = image.extract(plan.source);
  if (plan.rotateDegrees !== 0) image = image.rotate(plan.rotateDegrees, { background: '#000000' });
  if (plan.extract !== null) image = image.extract(plan.extract);
  if (tone.a !== 1 || tone.b !== 0) image = image.linear(tone.a, tone.b);
  const { width, height } = plan.output;
  const jpeg = { quality: settings.jpegQuality, optimiseCoding: false } as const;
  if (plan.blur.length === 0) {
    return { jpeg: await image.removeAlpha().jpeg(jpeg).toBuffer(), width, height, original: false };
  }
  // Stage 3: the blurred patches are cut from the finished pixels, so they match them exactly, and
  // copied back row by row (cheaper than a composite pass over the whole picture).
  const raw = await image.removeAlpha().raw().toBuffer();
  const rawInput = { raw: { width, height, channels: 3 as const } };
  const patches = await Promise.all(
    plan.blur.map(async (rect) => {
      const sigma = Math.max(0.3, Math.min(rect.width, rect.height) * settings.blurSigmaShare);
      return { rect, pixels: await sharp(raw, rawInput).extract(rect).blur(sigma).raw().toBuffer() };
    }),
  );
  for (const { rect, pixels } of patches) {
    const rowBytes = rect.width * 3;
    for (let y = 0; y < rect.height; y++) pixels.copy(raw, ((rect.top + y) * width + rect.left) * 3, y * rowBytes, (y + 1) * rowBytes);
  }
  return { jpeg: await sharp(raw, rawInput).jpeg(jpeg).toBuffer(), width, height, original: false };
}
