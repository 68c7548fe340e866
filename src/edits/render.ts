/**
 * Renders a photo's edit state against its ORIGINAL frame with sharp (I/O). Nothing is ever written
 * over the original: the edits stay parameters and every render starts again from the original, so
 * the empty edit list gives back the original file's bytes.
 *
 * Stages: (1) decode, shrunk on load when a smaller render is asked for; (2) one turn by the total
 * angle, the cut-out and the tone map; (3) blurred regions composited on the result and the JPEG.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import type { EditorSettings } from '../config/config.js';
import { LotreelError } from '../errors.js';
import type { Box } from '../geometry.js';
import { planRender, type RenderPlan, type Size } from './geometry.js';
import { isOriginal, type EditState } from './model.js';
import { composeTone, enhanceTone, greyHistogram, type LinearTone } from './tone.js';

export interface RenderOptions {
  /** Long side of the rendered picture at most this (default: full resolution). */
  maxLongSide?: number;
}

export interface RenderedPhoto {
  jpeg: Buffer;
  width: number;
  height: number;
  /** True when these are the original file's bytes (no edit, no resize). */
  original: boolean;
}

const ENHANCE_SAMPLE_SIDE = 256;

function scaleBox(b: Box, f: number): Box {
  return { x1: b.x1 * f, y1: b.y1 * f, x2: b.x2 * f, y2: b.y2 * f };
}

/** The same edits on the original shrunk by `f` (boxes are in original pixels, so they scale with it). */
function scaledState(state: EditState, f: number): EditState {
  if (f === 1) return state;
  return { ...state, crop: state.crop && scaleBox(state.crop, f), blurRegions: state.blurRegions.map((b) => scaleBox(b, f)) };
}

/** Auto-enhance levels from a small grey copy of the original (JPEG shrink-on-load makes it cheap). */
async function enhanceFor(input: Buffer, settings: EditorSettings): Promise<LinearTone> {
  const grey = await sharp(input)
    .resize(ENHANCE_SAMPLE_SIDE, ENHANCE_SAMPLE_SIDE, { fit: 'inside' })
    .greyscale()
    .raw()
    .toBuffer();
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
  let input: Buffer;
  try {
    input = await readFile(originalPath);
  } catch (error) {
    throw new LotreelError('INPUT_MISSING', `the photo ${originalPath} is missing`, { cause: error });
  }
  const fullPlan = planRender(state, original);
  const longSide = Math.max(fullPlan.output.width, fullPlan.output.height);
  const f = options.maxLongSide !== undefined && options.maxLongSide < longSide ? options.maxLongSide / longSide : 1;
  if (f === 1 && isOriginal(state)) return { jpeg: input, width: original.width, height: original.height, original: true };

  try {
    const meta = await sharp(input).metadata();
    if (meta.width !== original.width || meta.height !== original.height) {
      throw new LotreelError('INVALID_ARGUMENT', `the photo ${originalPath} is ${meta.width}x${meta.height}, not ${original.width}x${original.height} as recorded`);
    }
    const tone = composeTone(state.enhance ? await enhanceFor(input, settings) : null, state.brightness);
    const size = { width: Math.max(1, Math.round(original.width * f)), height: Math.max(1, Math.round(original.height * f)) };
    // Stage 1: decode (shrunk on load when smaller). Full size goes straight from the file.
    const source =
      f === 1
        ? sharp(input)
        : sharp(await sharp(input).resize(size.width, size.height, { fit: 'fill' }).raw().toBuffer(), {
            raw: { width: size.width, height: size.height, channels: 3 },
          });
    const plan = f === 1 ? fullPlan : planRender(scaledState(state, f), size);
    return await turnCutTone(source, plan, tone, settings);
  } catch (error) {
    if (error instanceof LotreelError) throw error;
    throw invalidPhoto(originalPath, error);
  }
}

async function turnCutTone(source: Sharp, plan: RenderPlan, tone: LinearTone, settings: EditorSettings): Promise<RenderedPhoto> {
  let image = source;
  if (plan.rotateDegrees !== 0) image = image.rotate(plan.rotateDegrees, { background: '#000000' });
  if (plan.extract !== null) image = image.extract(plan.extract);
  if (tone.a !== 1 || tone.b !== 0) image = image.linear(tone.a, tone.b);
  const { width, height } = plan.output;
  const jpeg = { quality: settings.jpegQuality, optimiseCoding: false } as const;
  if (plan.blur.length === 0) {
    return { jpeg: await image.removeAlpha().jpeg(jpeg).toBuffer(), width, height, original: false };
  }
  // Stage 3: the blurred patches are cut from the finished pixels, so they match them exactly.
  const raw = await image.removeAlpha().raw().toBuffer();
  const rawInput = { raw: { width, height, channels: 3 as const } };
  const patches = await Promise.all(
    plan.blur.map(async (rect) => {
      const sigma = Math.max(0.3, Math.min(rect.width, rect.height) * settings.blurSigmaShare);
      const patch = await sharp(raw, rawInput).extract(rect).blur(sigma).raw().toBuffer();
      return { input: patch, raw: { width: rect.width, height: rect.height, channels: 3 as const }, left: rect.left, top: rect.top };
    }),
  );
  return { jpeg: await sharp(raw, rawInput).composite(patches).jpeg(jpeg).toBuffer(), width, height, original: false };
}
