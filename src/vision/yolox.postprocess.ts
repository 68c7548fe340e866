/**
 * YOLOX output decoding (pure): grid decode, score threshold, class-aware NMS, boxes back to frame
 * pixels, and ROI pooling of a feature map into a per-detection vector.
 *
 * The raw output holds, per anchor (one per grid cell of each stride, row-major, strides in order):
 * [dx, dy, log w, log h, objectness, class 0..C-1]. As in the official `demo_postprocess`
 * (p6=False): cx = (dx + gx) * s, cy = (dy + gy) * s, w = exp(log w) * s, h = exp(log h) * s.
 * This export already applies the sigmoid to objectness and classes (`sigmoidApplied`); a graph that
 * does not can say so and the decoder applies it. Score = objectness * best class probability, as in
 * YOLOX's own `postprocess`.
 */
import { clampBox, intersectionOverUnion, type Box } from '../core/geometry.js';

export interface YoloxDecodeOptions {
  inputWidth: number;
  inputHeight: number;
  strides: readonly number[];
  numClasses: number;
  /** Keep candidates whose objectness × class probability is at least this. */
  scoreThreshold: number;
  /** Whether objectness and class values in the tensor are already probabilities. */
  sigmoidApplied: boolean;
}

/** A candidate in input (letterboxed) pixels. */
export interface RawDetection {
  box: Box;
  score: number;
  classId: number;
  /** Anchor index in the output, for debugging and tests. */
  anchor: number;
}

export function anchorCount(inputWidth: number, inputHeight: number, strides: readonly number[]): number {
  let n = 0;
  for (const s of strides) n += Math.floor(inputWidth / s) * Math.floor(inputHeight / s);
  return n;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Decodes one image's output ([anchors, 5 + classes] starting at `offset`) into scored candidates. */
export function decodeYoloxOutput(output: Float32Array, offset: number, options: YoloxDecodeOptions): RawDetection[] {
  const { strides, numClasses, scoreThreshold, sigmoidApplied } = options;
  const stride = 5 + numClasses;
  const anchors = anchorCount(options.inputWidth, options.inputHeight, strides);
  if (offset + anchors * stride > output.length) {
    throw new RangeError(`output has ${output.length - offset} values from offset ${offset}, expected ${anchors * stride}`);
  }
  const out: RawDetection[] = [];
  let anchor = 0;
  for (const s of strides) {
    const gw = Math.floor(options.inputWidth / s);
    const gh = Math.floor(options.inputHeight / s);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, anchor++) {
        const base = offset + anchor * stride;
        const obj = sigmoidApplied ? output[base + 4] : sigmoid(output[base + 4]);
        // Class probability is at most 1, so a low objectness rules the anchor out.
        if (obj < scoreThreshold) continue;
        let best = 0;
        let bestP = -Infinity;
        for (let c = 0; c < numClasses; c++) {
          const p = output[base + 5 + c];
          if (p > bestP) {
            bestP = p;
            best = c;
          }
        }
        const score = obj * (sigmoidApplied ? bestP : sigmoid(bestP));
        if (score < scoreThreshold) continue;
        const cx = (output[base] + gx) * s;
        const cy = (output[base + 1] + gy) * s;
        const w = Math.exp(output[base + 2]) * s;
        const h = Math.exp(output[base + 3]) * s;
        out.push({ box: { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 }, score, classId: best, anchor });
      }
    }
  }
  return out;
}

/**
 * Greedy NMS, per class: a candidate is dropped when a higher-scoring candidate of the same class
 * overlaps it by more than `iouThreshold`. Returns kept candidates by descending score.
 */
export function nonMaxSuppression<T extends { box: Box; score: number; classId: number }>(candidates: readonly T[], iouThreshold: number, maxDetections = Infinity): T[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const c of sorted) {
    if (kept.length >= maxDetections) break;
    let suppressed = false;
    for (const k of kept) {
      if (k.classId === c.classId && intersectionOverUnion(k.box, c.box) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(c);
  }
  return kept;
}

/** Input-pixel box back to frame pixels: divide by the letterbox scale, clamp to the frame. */
export function boxToFrame(box: Box, scale: number, frameWidth: number, frameHeight: number): Box {
  return clampBox({ x1: box.x1 / scale, y1: box.y1 / scale, x2: box.x2 / scale, y2: box.y2 / scale }, frameWidth, frameHeight);
}

export interface FeatureMap {
  data: Float32Array;
  /** Start of this image's [channels, height, width] block in `data`. */
  offset: number;
  channels: number;
  height: number;
  width: number;
  /** Input pixels per feature cell. */
  stride: number;
}

/**
 * Average of the feature map over the cells whose centre lies inside a box (in input pixels; at
 * least the cell under the box centre), minus `mean` when given (a reference vector, so that what all
 * vehicles share does not dominate), L2-normalised.
 */
export function roiEmbedding(feature: FeatureMap, box: Box, mean?: ArrayLike<number>): Float32Array {
  const { data, offset, channels: C, height: H, width: W, stride: s } = feature;
  const clampI = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let x0 = clampI(Math.ceil(box.x1 / s - 0.5), 0, W - 1);
  let x1 = clampI(Math.floor(box.x2 / s - 0.5), 0, W - 1);
  let y0 = clampI(Math.ceil(box.y1 / s - 0.5), 0, H - 1);
  let y1 = clampI(Math.floor(box.y2 / s - 0.5), 0, H - 1);
  if (x1 < x0) x0 = x1 = clampI(Math.floor((box.x1 + box.x2) / 2 / s), 0, W - 1);
  if (y1 < y0) y0 = y1 = clampI(Math.floor((box.y1 + box.y2) / 2 / s), 0, H - 1);
  if (mean && mean.length !== C) throw new RangeError(`embedding mean has ${mean.length} values, the feature map ${C} channels`);
  const out = new Float32Array(C);
  const plane = H * W;
  const n = (x1 - x0 + 1) * (y1 - y0 + 1);
  for (let c = 0; c < C; c++) {
    const base = offset + c * plane;
    let sum = 0;
    for (let y = y0; y <= y1; y++) {
      const row = base + y * W;
      for (let x = x0; x <= x1; x++) sum += data[row + x];
    }
    out[c] = sum / n - (mean ? mean[c] : 0);
  }
  return l2Normalise(out);
}

/** Scales to unit length in place (a zero vector stays zero). */
export function l2Normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}
