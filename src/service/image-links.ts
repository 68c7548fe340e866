/**
 * Published image links: what a marketplace fetching the feed can open without the dealer's token.
 * Each link names the photo and an expiry and carries an HMAC-SHA256 of both under the dealer's
 * image-link key, so it cannot be guessed or stretched; a new key (revoke) ends every older link.
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

const signature = (key: string, photoId: string, expires: number): string =>
  createHmac('sha256', key).update(`${photoId}.${expires}`).digest('base64url');

/** The photo's published link path with its expiry and signature. */
export function signedImagePath(photoId: string, key: string, expires: number): string {
  return `${publicImagePath(photoId)}?expires=${expires}&signature=${signature(key, photoId, expires)}`;
}

export type LinkCheck = 'ok' | 'expired' | 'bad_signature';

/** Whether a link's expiry and signature hold under the dealer's current key. */
export function checkImageLink(photoId: string, key: string, expires: number, given: string, nowMs = Date.now()): LinkCheck {
  const expected = Buffer.from(signature(key, photoId, expires));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return 'bad_signature';
  return expires * 1000 <= nowMs ? 'expired' : 'ok';
}

/** The function the feed names its images with: signed links under the dealer's key, from `base` (the service's public URL). */
export async function dealerImageUrls(db: Queryable, dealerId: string, base: string, defaultDays: number): Promise<(photoId: string) => string> {
  const link = await getImageLinkKey(db, dealerId);
  if (!link) throw new LotreelError('INVALID_ARGUMENT', `no dealer ${dealerId}`);
  const expires = linkExpiry(link.days ?? defaultDays);
  return (photoId) => base + signedImagePath(photoId, link.key, expires);
}
