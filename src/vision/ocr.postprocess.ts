/**
 * PP-OCR outputs to text (pure): DB post-processing of the detector's probability map into text
 * boxes, and CTC greedy decoding of the recogniser's per-step class probabilities.
 */
import { rotatedRect, type Box, type Quad } from '../core/geometry.js';

export interface DbOptions {
  /** A map pixel above this is text. */
  threshold: number;
  /** A region whose mean probability is below this is dropped. */
  boxThreshold: number;
  /** How far a region is grown back: the detector was trained on text shrunk by this ratio. */
  unclipRatio: number;
  /** Regions with a shorter side (map pixels) are noise. */
  minSize: number;
  /** Most regions kept, most probable first. */
  maxBoxes: number;
}

export interface TextRegion {
  /** In probability-map pixels. */
  box: Box;
  /** Mean probability over the region's pixels. */
  score: number;
  /** The region as a rotated rectangle along its own direction (slanted text), grown like `box`, in map pixels. */
  quad: Quad;
}

/**
 * Text regions of a `width`x`height` probability map: pixels above `threshold` grouped into
 * 8-connected regions, each kept as its bounding box grown by `area * unclipRatio / perimeter` on
 * every side (DB's unclip, for an axis-aligned box) and clipped to the map.
 */
export function textRegions(prob: ArrayLike<number>, width: number, height: number, options: DbOptions): TextRegion[] {
  const label = new Int32Array(width * height);
  const stack: number[] = [];
  const members: number[] = [];
  const regions: TextRegion[] = [];
  let next = 0;
  for (let start = 0; start < width * height; start++) {
    if (label[start] !== 0 || !(prob[start] > options.threshold)) continue;
    next++;
    label[start] = next;
    stack.push(start);
    let x1 = width;
    let y1 = height;
    let x2 = -1;
    let y2 = -1;
    let sum = 0;
    let count = 0;
    members.length = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      members.push(i);
      const x = i % width;
      const y = (i - x) / width;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
      sum += prob[i];
      count++;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue;
          const j = ny * width + nx;
          if (label[j] === 0 && prob[j] > options.threshold) {
            label[j] = next;
            stack.push(j);
          }
        }
      }
    }
    // Pixel indices to pixel edges: a region of one pixel is 1x1.
    const w = x2 + 1 - x1;
    const h = y2 + 1 - y1;
    const score = sum / count;
    if (Math.min(w, h) < options.minSize || score < options.boxThreshold) continue;
    const grow = (w * h * options.unclipRatio) / (2 * (w + h));
    const box = {
      x1: Math.max(0, x1 - grow),
      y1: Math.max(0, y1 - grow),
      x2: Math.min(width, x2 + 1 + grow),
      y2: Math.min(height, y2 + 1 + grow),
    };
    regions.push({ box, score, quad: orientedRect(members, width, options.unclipRatio) });
  }
  return regions.sort((a, b) => b.score - a.score).slice(0, options.maxBoxes);
}

/**
 * The rotated rectangle around a region's pixels (indices into a map `width` wide): its direction
 * from the pixels' second moments, its extent along and across that direction, grown by DB's unclip.
 */
export function orientedRect(pixels: readonly number[], width: number, unclipRatio: number): Quad {
  let mx = 0;
  let my = 0;
  for (const i of pixels) {
    mx += i % width;
    my += Math.floor(i / width);
  }
  mx /= pixels.length;
  my /= pixels.length;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const i of pixels) {
    const dx = (i % width) - mx;
    const dy = Math.floor(i / width) - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let u1 = Infinity;
  let u2 = -Infinity;
  let v1 = Infinity;
  let v2 = -Infinity;
  for (const i of pixels) {
    const dx = (i % width) - mx;
    const dy = Math.floor(i / width) - my;
    const u = dx * cos + dy * sin;
    const v = -dx * sin + dy * cos;
    if (u < u1) u1 = u;
    if (u > u2) u2 = u;
    if (v < v1) v1 = v;
    if (v > v2) v2 = v;
  }
  // Pixel centres to pixel edges, then DB's unclip.
  const w = u2 - u1 + 1;
  const h = v2 - v1 + 1;
  const grow = (w * h * unclipRatio) / (2 * (w + h));
  const cu = (u1 + u2) / 2;
  const cv = (v1 + v2) / 2;
  // Pixel (x, y) covers [x, x+1): its centre is x + 0.5.
  const cx = mx + 0.5 + cu * cos - cv * sin;
  const cy = my + 0.5 + cu * sin + cv * cos;
  if (w >= h) return rotatedRect(cx, cy, w + 2 * grow, h + 2 * grow, angle);
  // Longer across than along: the line runs across, left to right (within ±90°).
  const across = angle > 0 ? angle - Math.PI / 2 : angle + Math.PI / 2;
  return rotatedRect(cx, cy, h + 2 * grow, w + 2 * grow, across);
}

/** Reading order: lines top to bottom (boxes whose vertical centres are within half a height share a line), then left to right. */
export function readingOrder<T extends { box: Box }>(items: readonly T[]): T[] {
  const centre = (b: Box) => (b.y1 + b.y2) / 2;
  return [...items].sort((a, b) => {
    const sameLine = Math.abs(centre(a.box) - centre(b.box)) < Math.min(a.box.y2 - a.box.y1, b.box.y2 - b.box.y1) / 2;
    return sameLine ? a.box.x1 - b.box.x1 : centre(a.box) - centre(b.box);
  });
}

/**
 * The recogniser's classes: CTC blank first, the keys file's characters, then a space (PaddleOCR's
 * `use_space_char`). Throws when that does not match the model's output width.
 */
export function ocrVocabulary(keysText: string, outputWidth: number): string[] {
  const keys = keysText.split(/\r?\n/);
  if (keys.at(-1) === '') keys.pop();
  const vocabulary = ['', ...keys, ' '];
  if (vocabulary.length !== outputWidth) {
    throw new RangeError(`the keys give ${vocabulary.length} classes (blank + ${keys.length} + space) but the recogniser outputs ${outputWidth}`);
  }
  return vocabulary;
}

export interface DecodedText {
  text: string;
  /** Mean probability of the characters read (0 when none). */
  score: number;
}

/**
 * CTC greedy decoding of one sequence of `steps` x `classes` probabilities starting at `offset`:
 * the best class per step, repeats collapsed, blanks (class 0) dropped.
 */
export function ctcGreedyDecode(probs: ArrayLike<number>, offset: number, steps: number, vocabulary: readonly string[]): DecodedText {
  const classes = vocabulary.length;
  let text = '';
  let sum = 0;
  let count = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const base = offset + t * classes;
    let best = 0;
    let bestP = probs[base];
    for (let c = 1; c < classes; c++) {
      if (probs[base + c] > bestP) {
        bestP = probs[base + c];
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += vocabulary[best];
      sum += bestP;
      count++;
    }
    previous = best;
  }
  return { text, score: count > 0 ? sum / count : 0 };
}
