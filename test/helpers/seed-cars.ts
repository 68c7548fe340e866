/**
 * A dealer's processed video written straight into the store (no analysis run): the rows an analysis
 * would leave (sample cars with segments, photos, drafts and evidence) and, when a media folder is
 * given, a small JPEG per photo where local storage looks for it. For the tests of what a seller does
 * with the cars afterwards (merge, split), which need exact, known cars rather than a detector's.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { hashApiToken, newApiToken } from '../../src/service/tokens.js';
import { insertDealer } from '../../src/store/dealers.repository.js';
import { insertQueuedVideo, markVideoDone } from '../../src/store/service.repository.js';
import { saveVideoResult, type Database, type SavedVideoResult } from '../../src/store/index.js';
import { sampleResult } from '../integration/store/sample-result.js';

export const SEED_PHOTO = { width: 320, height: 180 };

export async function seedDealer(db: Database, name: string): Promise<{ id: string; token: string }> {
  const token = newApiToken();
  const dealer = await insertDealer(db, name, hashApiToken(token));
  return { id: dealer.id, token };
}

/** A done video of `carCount` sample cars for the dealer; photo files under `mediaRoot` when given. */
export async function seedDealerVideo(db: Database, dealerId: string, carCount: number, options: { fingerprint: string; mediaRoot?: string }): Promise<SavedVideoResult> {
  const input = sampleResult(options.fingerprint, carCount);
  const videoId = crypto.randomUUID();
  await insertQueuedVideo(db, { ...input.video, id: videoId, dealerId, fingerprint: options.fingerprint, fileName: input.video.fileName, originalKey: `${dealerId}/${videoId}/original` });
  for (const car of input.cars) for (const photo of car.photos) Object.assign(photo, SEED_PHOTO, { plateRegions: [], originalFile: null });
  const saved = await saveVideoResult(db, { ...input, video: { ...input.video, id: videoId } });
  await markVideoDone(db, videoId);
  if (options.mediaRoot) {
    for (const car of input.cars) {
      for (const photo of car.photos) {
        const path = join(options.mediaRoot, dealerId, videoId, photo.file);
        await mkdir(dirname(path), { recursive: true });
        // One colour per car, a shade per photo: a screenshot tells them apart.
        const hue = (car.ordinal * 97 + photo.ordinal * 13) % 256;
        await sharp({ create: { ...SEED_PHOTO, channels: 3, background: { r: hue, g: 255 - hue, b: (car.ordinal * 60) % 256 } } }).jpeg().toFile(path);
      }
    }
  }
  return saved;
}
