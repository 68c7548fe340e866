/**
 * Blurs regions of a photo (I/O, sharp): licence plates in exported photos. The blurred picture is
 * written under a temporary name, then the unblurred one is moved to `originalPath` (so the seller can
 * undo the blur) and the blurred one takes its place: never half-written, never lost.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { Box, Quad } from '../core/geometry.js';
import type { RgbImage } from '../vision/yolox.preprocess.js';

/** A region to blur: its bounds and, for a slanted plate, the rotated quad inside them (only the quad is blurred). */
export interface BlurRegion {
  box: Box;
  quad?: Quad;
}

/** Integer pixel rectangle of `box` inside a `width`x`height` picture, or null when nothing is left. */
function pixelRect(box: Box, width: number, height: number): { left: number; top: number; width: number; height: number } | null {
  const left = Math.max(0, Math.floor(box.x1));
  const top = Math.max(0, Math.floor(box.y1));
  const right = Math.min(width, Math.ceil(box.x2));
  const bottom = Math.min(height, Math.ceil(box.y2));
  return right - left >= 2 && bottom - top >= 2 ? { left, top, width: right - left, height: bottom - top } : null;
}

/** The quad's thickness (its shorter side), what the blur's strength follows. */
const thickness = (q: Quad) => Math.min(Math.hypot(q[1].x - q[0].x, q[1].y - q[0].y), Math.hypot(q[2].x - q[1].x, q[2].y - q[1].y));

/** Whether (x, y) lies inside the polygon (even-odd rule; a quad's corners may come in any order round it). */
function insidePolygon(x: number, y: number, points: readonly { x: number; y: number }[]): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [a, b] = [points[i], points[j]];
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/**
 * A copy of the picture with `regions` blurred (Gaussian, sigma = `sigmaShare` x the plate's height,
 * or a slanted plate's thickness; of such a plate only its quad, pixel centres inside it), and how
 * many were blurred. Each region is blurred from the untouched picture.
 */
export async function blurRegions(image: RgbImage, regions: readonly BlurRegion[], sigmaShare: number): Promise<{ image: RgbImage; blurred: number }> {
  const data = new Uint8Array(image.data);
  const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
  let blurred = 0;
  for (const region of regions) {
    const rect = pixelRect(region.box, image.width, image.height);
    if (!rect) continue;
    const sigma = Math.max(2, sigmaShare * (region.quad ? thickness(region.quad) : rect.height));
    const patch = await sharp(image.data, raw).extract(rect).blur(sigma).raw().toBuffer();
    for (let y = 0; y < rect.height; y++) {
      for (let x = 0; x < rect.width; x++) {
        if (region.quad && !insidePolygon(rect.left + x + 0.5, rect.top + y + 0.5, region.quad)) continue;
        const from = (y * rect.width + x) * 3;
        const to = ((rect.top + y) * image.width + rect.left + x) * 3;
        data[to] = patch[from];
        data[to + 1] = patch[from + 1];
        data[to + 2] = patch[from + 2];
      }
    }
    blurred++;
  }
  return { image: { width: image.width, height: image.height, data }, blurred };
}

/**
 * Blurs `regions` of the JPEG at `photoPath` in place (see blurRegions) after moving the untouched
 * file to `originalPath`; `pixels`: the photo already decoded (readRgb), else it is decoded here.
 * The blurred picture is encoded once, from memory. Returns how many regions were blurred.
 */
export async function blurPhotoRegions(
  photoPath: string,
  originalPath: string,
  regions: readonly BlurRegion[],
  options: { sigmaShare: number; quality: number; pixels?: RgbImage },
): Promise<number> {
  if (regions.length === 0) return 0;
  const { image, blurred } = await blurRegions(options.pixels ?? (await readRgb(photoPath)), regions, options.sigmaShare);
  await mkdir(dirname(originalPath), { recursive: true });
  const temp = `${photoPath}.${process.pid}-${randomBytes(4).toString('hex')}.partial.jpg`;
  try {
    await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: options.quality, optimiseCoding: false }).toFile(temp);
    await rename(photoPath, originalPath);
    try {
      await rename(temp, photoPath);
    } catch (error) {
      // Put the original back: the photo is never lost.
      await rename(originalPath, photoPath).catch(() => undefined);
      throw error;
    }
  } finally {
    await rm(temp, { force: true });
  }
  return blurred;
}

/** Decodes a picture file to upright RGB24 pixels. */
export async function readRgb(path: string): Promise<RgbImage> {
  const { orientation = 1, channels, space } = await sharp(path).metadata();
  // Turning and converting cost a third more on a 1080p JPEG even when they change nothing: only where needed.
  const upright = orientation === 1 && channels === 3 && space === 'srgb';
  const decoding = upright ? sharp(path) : sharp(path).rotate().removeAlpha().toColourspace('srgb');
  const { data, info } = await decoding.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
