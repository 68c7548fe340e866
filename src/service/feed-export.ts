/**
 * A dealer's inventory feed as `lotreel export` writes it: every car of one video or of all the
 * dealer's videos, image links signed for a marketplace (image-links.ts), its rendered reels' links. The command runs it against
 * the database, or asks a running `serve` to (admin-channel.ts): one answer either way.
 */
import { LotreelError } from '../core/errors.js';
import { findDealersByName } from '../store/dealers.repository.js';
import type { Queryable } from '../store/queryable.js';
import { getVideo, listCars, listVideos } from '../store/service.repository.js';
import { toFeedItems, type FeedItem } from './feed.js';
import { dealerLinks } from './image-links.js';
import { withReelUrls } from './reel-links.js';

export interface FeedRequest {
  dealer: string;
  video?: string;
}

/** `links`: where image links start and how long they last; `mileageUnit`: the market's, for a mileage without one. */
export async function dealerFeed(db: Queryable, request: FeedRequest, links: { base: string; defaultDays: number; mileageUnit: string }): Promise<FeedItem[]> {
  const dealers = await findDealersByName(db, request.dealer);
  if (dealers.length !== 1) {
    throw new LotreelError('INVALID_ARGUMENT', dealers.length === 0 ? `no dealer named "${request.dealer}"` : `${dealers.length} dealers are named "${request.dealer}"`);
  }
  const dealerId = dealers[0]!.id;
  let videoIds: string[];
  if (request.video !== undefined) {
    if ((await getVideo(db, dealerId, request.video)) === null) throw new LotreelError('INVALID_ARGUMENT', `dealer "${request.dealer}" has no video ${request.video}`);
    videoIds = [request.video];
  } else {
    videoIds = (await listVideos(db, dealerId)).map((v) => v.id);
  }
  const signed = await dealerLinks(db, dealerId, links.base, links.defaultDays);
  const items: FeedItem[] = [];
  for (const id of videoIds) {
    const cars = (await listCars(db, dealerId, id)) ?? [];
    items.push(...(await withReelUrls(db, id, cars, toFeedItems(cars, signed.image, links.mileageUnit), signed.reel)));
  }
  return items;
}
