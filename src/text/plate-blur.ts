/**
 * Blurs regions of a photo (I/O, sharp): licence plates in exported photos. The unblurred picture is
 * moved to `originalPath` first, so the seller can undo the blur; the blurred one is written under a
 * temporary name and renamed, never half-written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { Box } from '../core/geometry.js';

/** Integer pixel rectangle of `box` inside a `width`x`height` picture, or null when nothing is left. */
function pixelRect(box: Box, width: number, height: number): { left: number; top: number; width: number; height: number } | null {
  const left = Math.max(0, Math.floor(box.x1));
  const top = Math.max(0, Math.floor(box.y1));
  const right = Math.min(width, Math.ceil(box.x2));
  const bottom = Math.min(height, Math.ceil(box.y2));
  return right - left >= 2 && bottom - top >= 2 ? { left, top, width: right - left, height: bottom - top } : null;
}

/**
 * Blurs `regions` of the JPEG at `photoPath` in place (Gaussian, sigma = `sigmaShare` x the region's
 * height) after moving the untouched file to `originalPath`. Returns how many regions were blurred.
 */
export async function blurPhotoRegions(photoPath: string, originalPath: string, regions: readonly Box[], options: { sigmaShare: number; quality: number }): Promise<number> {
  if (regions.length === 0) return 0;
  await mkdir(dirname(originalPath), { recursive: true });
  await rename(photoPath, originalPath);
  const source = sharp(originalPath);
  const { width = 0, height = 0 } = await source.metadata();
  const patches = [];
  for (const region of regions) {
    const rect = pixelRect(region, width, height);
    if (!rect) continue;
    const sigma = Math.max(2, options.sigmaShare * rect.height);
    const input = await sharp(originalPath).extract(rect).blur(sigma).toBuffer();
    patches.push({ input, left: rect.left, top: rect.top });
  }
  const temp = `${photoPath}.${process.pid}-${randomBytes(4).toString('hex')}.partial.jpg`;
  try {
    await sharp(originalPath).composite(patches).jpeg({ quality: options.quality, optimiseCoding: false }).toFile(temp);
    await rename(temp, photoPath);
  } catch (error) {
    // Put the original back: the photo is never lost.
    await rename(originalPath, photoPath).catch(() => undefined);
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
  return patches.length;
}

/** Decodes a picture file to upright RGB24 pixels. */
export async function readRgb(path: string): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(path).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
