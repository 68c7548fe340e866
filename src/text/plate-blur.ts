/**
 * Blurs regions of a photo (I/O, sharp): licence plates in exported photos. The unblurred picture is
 * moved to `originalPath` first, so the seller can undo the blur; the blurred one is written under a
 * temporary name and renamed, never half-written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { Box, Quad } from '../core/geometry.js';

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

/** Blurred patches of `regions` of the picture at `path` (a quad's corners outside it left out), ready to composite. */
export async function blurPatches(path: string, regions: readonly BlurRegion[], sigmaShare: number): Promise<{ input: Buffer; left: number; top: number }[]> {
  const { width = 0, height = 0 } = await sharp(path).metadata();
  const patches = [];
  for (const region of regions) {
    const rect = pixelRect(region.box, width, height);
    if (!rect) continue;
    const sigma = Math.max(2, sigmaShare * (region.quad ? thickness(region.quad) : rect.height));
    const blurred = sharp(path).extract(rect).blur(sigma);
    if (!region.quad) {
      patches.push({ input: await blurred.toBuffer(), left: rect.left, top: rect.top });
      continue;
    }
    const points = region.quad.map((p) => `${(p.x - rect.left).toFixed(1)},${(p.y - rect.top).toFixed(1)}`).join(' ');
    const mask = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${rect.width}" height="${rect.height}"><polygon points="${points}" fill="#fff"/></svg>`);
    const input = await sharp(await blurred.png().toBuffer()).ensureAlpha().composite([{ input: mask, blend: 'dest-in' }]).png().toBuffer();
    patches.push({ input, left: rect.left, top: rect.top });
  }
  return patches;
}

/**
 * Blurs `regions` of the JPEG at `photoPath` in place (Gaussian, sigma = `sigmaShare` x the plate's
 * height) after moving the untouched file to `originalPath`. Returns how many regions were blurred.
 */
export async function blurPhotoRegions(photoPath: string, originalPath: string, regions: readonly BlurRegion[], options: { sigmaShare: number; quality: number }): Promise<number> {
  if (regions.length === 0) return 0;
  await mkdir(dirname(originalPath), { recursive: true });
  await rename(photoPath, originalPath);
  let patches: { input: Buffer; left: number; top: number }[];
  try {
    patches = await blurPatches(originalPath, regions, options.sigmaShare);
  } catch (error) {
    await rename(originalPath, photoPath).catch(() => undefined);
    throw error;
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
