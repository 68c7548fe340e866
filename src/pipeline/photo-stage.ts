/**
 * Writing photos (I/O wiring; the choice is in photos/): file names inside the staging folder, the
 * listing order, a sharper neighbour for a blurry pick, then one decode pass or one seek per still.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractKeyframeStills, extractStills, type StillRequest, type WrittenStill } from '../media/index.js';
import type { CarGroup } from '../analysis/segmentation.js';
import { replacePhotoFrame, sharperNeighbour, type ChosenPhoto } from '../photos/choose-photos.js';
import { observeStretch, type StageContext } from './frame-stages.js';
import type { StillAt } from './keyframe-stills.js';

export interface PlannedCar {
  ordinal: number;
  group: CarGroup;
  photos: ChosenPhoto[];
}

export const carFolder = (ordinal: number) => `car-${ordinal}`;
export const photoFile = (ordinal: number, k: number) => `${carFolder(ordinal)}/${String(k + 1).padStart(2, '0')}.jpg`;
/** Where a photo's unblurred original is kept when plates were blurred in it. */
export const originalFile = (ordinal: number, k: number) => `${carFolder(ordinal)}/originals/${String(k + 1).padStart(2, '0')}.jpg`;
export const clipFile = (ordinal: number) => `${carFolder(ordinal)}/clip.mp4`;

/** Listing order: the cover first, then the walk round the car; 01.jpg is the cover. */
export function listingOrder(photos: ChosenPhoto[]): ChosenPhoto[] {
  return [...photos.filter((p) => p.cover), ...photos.filter((p) => !p.cover)];
}

/**
 * Writes every car's photos: first a blurry pick (a keyframe caught mid-step) is swapped for a sharper
 * frame of the same view decoded from just around it; then photos the analysis already wrote at full
 * size (`stillAt`, by timestamp; waited for while that decode goes on) are copied from there, other photos at keyframes come out of one
 * keyframe-only decode when they are a good share of the keyframes, the others one seek each.
 * Returns the picture sizes in the order of the cars' photos.
 */
export async function writePhotos(
  planned: PlannedCar[],
  keyframeTimes: ReadonlySet<number>,
  stillAt: StillAt,
  stagingDir: string,
  context: StageContext,
  onPhotoDone: (done: number) => void,
): Promise<{ width: number; height: number }[]> {
  const { signal, info } = context;
  const { photos: photoSettings, segmentation } = context.settings;
  for (const car of planned) {
    for (let k = 0; k < car.photos.length; k++) {
      const photo = car.photos[k];
      if (photo.sharpness >= photoSettings.sharpenBelow) continue;
      const t = photo.candidate.timestampMs;
      // After a keyframe only: decoding before it would mean decoding from the keyframe before that.
      const from = keyframeTimes.has(t) ? t : Math.max(0, t - photoSettings.sharpenWindowMs);
      const window = { startMs: from, endMs: Math.min(info.durationMs, t + photoSettings.sharpenWindowMs), roughDecode: false };
      const nearby = await observeStretch(window, photo.candidate.sighting.box, context);
      const sharper = sharperNeighbour(photo, nearby, segmentation.splitDistance);
      context.log.debug('looked for a sharper photo', { car: car.ordinal, at: t, found: sharper?.timestampMs ?? null });
      if (sharper) car.photos[k] = replacePhotoFrame(photo, sharper);
    }
  }
  const requests = planned.flatMap((car) => car.photos.map((p, k) => ({ timestampMs: p.candidate.timestampMs, outPath: join(stagingDir, photoFile(car.ordinal, k)) })));
  let done = 0;
  const copied = await copyWrittenStills(requests, stillAt, info, () => onPhotoDone(++done));
  const toDecode = requests.filter((r) => !copied.some((c) => c.outPath === r.outPath));
  const atKeyframe = toDecode.filter((r) => keyframeTimes.has(r.timestampMs));
  const onePass = atKeyframe.length * 3 >= keyframeTimes.size;
  const inOnePass = onePass ? atKeyframe : [];
  const bySeek = toDecode.filter((r) => !inOnePass.includes(r));
  const stillOptions = { quality: photoSettings.jpegQuality, signal, onDone: () => onPhotoDone(++done) };
  const written = [
    ...copied,
    ...(await extractKeyframeStills(info.file, info, inOnePass, stillOptions, context.binaries)),
    ...(await extractStills(info.file, info, bySeek, stillOptions, context.binaries)),
  ];
  const sizeOf = new Map(written.map((w) => [w.outPath, { width: w.width, height: w.height }]));
  return requests.map((r) => sizeOf.get(r.outPath)!);
}

/** Copies the photos whose frame the analysis already wrote at full size; returns those copied. */
async function copyWrittenStills(requests: readonly StillRequest[], stillAt: StillAt, info: { width: number; height: number }, onCopied: () => void): Promise<WrittenStill[]> {
  const copied: WrittenStill[] = [];
  for (const request of requests) {
    const still = await stillAt(request.timestampMs);
    if (!still) continue; // not a sampled frame: decoded below
    try {
      await copyFile(still, request.outPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // not a sampled frame: decoded below
      throw error;
    }
    copied.push({ ...request, width: info.width, height: info.height });
    onCopied();
  }
  return copied;
}
