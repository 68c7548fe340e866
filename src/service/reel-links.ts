/**
 * Where a draft's rendered reels are served, and the export's items with them: the JSON's
 * `video_urls`, the CSV's `video[n].url` columns. Used by the API's export and `lotreel export`.
 */
import { listVideoReels, type ReelRow } from '../store/reels.repository.js';
import type { Queryable } from '../store/queryable.js';
import type { ServiceCar } from '../store/service.repository.js';
import { platesHeld, type FeedItem } from './feed.js';

const reelPath = (draftId: string, format: string) => `/api/drafts/${draftId}/reels/${format}`;

/** Where a rendered reel is served to the dealer (the editor's player); the version in it makes a browser fetch a new render. */
export const reelUrl = (reel: ReelRow) => `${reelPath(reel.draftId, reel.format)}?v=${reel.sourceVersion}`;

/**
 * The export's items with each car's rendered reels (none for a car held for its plates, like its
 * photos), named by `reelLink` (signed links a marketplace opens without the token: image-links.ts).
 */
export async function withReelUrls(db: Queryable, videoId: string, cars: readonly ServiceCar[], items: FeedItem[], reelLink: (draftId: string, format: string, version: string | null) => string): Promise<FeedItem[]> {
  const reels = (await listVideoReels(db, videoId)).filter((reel) => reel.file !== null);
  return items.map((item) => {
    const draft = cars.find((car) => car.id === item.vehicle_id)?.draft;
    if (!draft || platesHeld(draft.attributes)) return item;
    const urls = reels.filter((reel) => reel.draftId === draft.id).map((reel) => reelLink(reel.draftId, reel.format, reel.sourceVersion));
    return urls.length > 0 ? { ...item, video_urls: urls } : item;
  });
}
