/**
 * Published image and reel links: what a marketplace fetching the feed can open without the dealer's
 * token. Each link names the photo (or the reel) and an expiry and carries an HMAC-SHA256 of both
 * under the dealer's image-link key, so it cannot be guessed or stretched; a new key (revoke) ends
 * every older link.
 * Expiries are rounded up to the hour, so a feed fetched twice within the hour lists the same links
 * (a marketplace's image cache keeps working).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LotreelError } from '../core/errors.js';
import { getImageLinkKey } from '../store/dealers.repository.js';
import type { Queryable } from '../store/queryable.js';

export const publicImagePath = (photoId: string): string => `/public/photos/${photoId}/image.jpg`;

const HOUR_S = 3600;

/** The expiry (unix seconds) of links made now, valid for `days`. */
export const linkExpiry = (days: number, nowMs = Date.now()): number => Math.ceil((nowMs / 1000 + days * 86_400) / HOUR_S) * HOUR_S;

/** What a link names: a photo by its id, a reel by its draft and format (never a uuid alone). */
const reelSubject = (draftId: string, format: string) => `reel.${draftId}.${format}`;

const signature = (key: string, subject: string, expires: number): string =>
  createHmac('sha256', key).update(`${subject}.${expires}`).digest('base64url');

const signed = (path: string, subject: string, key: string, expires: number) => `${path}?expires=${expires}&signature=${signature(key, subject, expires)}`;

/** The photo's published link path with its expiry and signature. */
export function signedImagePath(photoId: string, key: string, expires: number): string {
  return signed(publicImagePath(photoId), photoId, key, expires);
}

/** Where a draft's reel in a format is published, for a marketplace without the token. */
export const publicReelPath = (draftId: string, format: string): string => `/public/reels/${draftId}/${format}/reel.mp4`;

/** The reel's published link path with its expiry and signature. */
export function signedReelPath(draftId: string, format: string, key: string, expires: number): string {
  return signed(publicReelPath(draftId, format), reelSubject(draftId, format), key, expires);
}

export type LinkCheck = 'ok' | 'expired' | 'bad_signature';

/** Whether a reel link's expiry and signature hold under the dealer's current key. */
export function checkReelLink(draftId: string, format: string, key: string, expires: number, given: string, nowMs = Date.now()): LinkCheck {
  return checkImageLink(reelSubject(draftId, format), key, expires, given, nowMs);
}

/** Whether a link's expiry and signature hold under the dealer's current key (`subject`: the photo's id). */
export function checkImageLink(subject: string, key: string, expires: number, given: string, nowMs = Date.now()): LinkCheck {
  const expected = Buffer.from(signature(key, subject, expires));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return 'bad_signature';
  return expires * 1000 <= nowMs ? 'expired' : 'ok';
}

export interface DealerLinks {
  image: (photoId: string) => string;
  /** `version`: the render's, so a marketplace's cache fetches a new render (not signed: it only busts caches). */
  reel: (draftId: string, format: string, version: string | null) => string;
}

/** The functions the feed names its images and reels with: signed links under the dealer's key, from `base` (the service's public URL). */
export async function dealerLinks(db: Queryable, dealerId: string, base: string, defaultDays: number): Promise<DealerLinks> {
  const link = await getImageLinkKey(db, dealerId);
  if (!link) throw new LotreelError('INVALID_ARGUMENT', `no dealer ${dealerId}`);
  const expires = linkExpiry(link.days ?? defaultDays);
  return {
    image: (photoId) => base + signedImagePath(photoId, link.key, expires),
    reel: (draftId, format, version) => base + signedReelPath(draftId, format, link.key, expires) + (version ? `&v=${version}` : ''),
  };
}
