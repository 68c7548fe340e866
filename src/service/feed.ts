/**
 * The dealer inventory feed (pure): one row per car, with the columns marketplaces' vehicle catalogues
 * use (Meta's automotive catalogue names: vehicle_id, title, description, make, model, year, body_style,
 * exterior_color, mileage.value, mileage.unit, vin, image[n].url) and the draft's state. What the dealer
 * set in the draft's attributes wins over what the analysis found.
 */
import type { z } from 'zod';
import type { ServiceCar } from '../store/service.repository.js';
import type { feedItem } from './schemas.js';

export type FeedItem = z.output<typeof feedItem>;

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : null);
const whole = (value: unknown): number | null => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? Math.round(n) : null;
};

/** The odometer unit a market's listings use (the editor's mileage field and the feed's default unit). */
export const MARKET_MILEAGE_UNIT = { us: 'mi', eu: 'km' } as const;

/** Whether a draft is held because its car's plates could not be looked for (see listing/draft.ts heldForPlates). */
export const platesHeld = (attributes: Record<string, unknown>): boolean => typeof attributes.platesNotBlurred === 'string' && attributes.platesNotBlurred !== '';

/** `mileageUnit`: the unit of a mileage the draft does not name one for (the market's). */
export function toFeedItems(cars: readonly ServiceCar[], imageUrl: (photoId: string) => string, mileageUnit = 'km'): FeedItem[] {
  return cars
    .filter((car) => car.draft !== null)
    .map((car) => {
      const draft = car.draft!;
      const a = draft.attributes;
      const mileage = whole(a.mileage);
      return {
        vehicle_id: car.id,
        title: draft.title,
        description: draft.description,
        make: text(a.make) ?? car.make,
        model: text(a.model) ?? car.model,
        year: whole(a.year) ?? car.year,
        body_style: text(a.bodyType) ?? car.bodyType,
        exterior_color: text(a.colour) ?? text(a.color) ?? car.color,
        mileage: mileage === null ? null : { value: mileage, unit: (text(a.mileageUnit) ?? mileageUnit).toUpperCase() },
        vin: text(a.vin)?.toUpperCase() ?? null,
        // A car whose plates could not be looked for is held: its photos are not published, blurred or not.
        image_urls: platesHeld(a) ? [] : car.photos.map((photo) => imageUrl(photo.id)),
        state: draft.status,
      };
    });
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The feed as CSV with a header row; as many image columns as the car with the most photos, and as
 * many reel columns (`video[n].url`, the JSON's `video_urls`; at least one, empty without a reel) as
 * the car with the most rendered reels.
 */
export function feedCsv(items: readonly FeedItem[]): string {
  const images = Math.max(1, ...items.map((item) => item.image_urls.length));
  const videos = Math.max(1, ...items.map((item) => item.video_urls?.length ?? 0));
  const header = [
    'vehicle_id', 'title', 'description', 'make', 'model', 'year', 'body_style', 'exterior_color',
    'mileage.value', 'mileage.unit', 'vin', ...Array.from({ length: images }, (_, i) => `image[${i}].url`),
    ...Array.from({ length: videos }, (_, i) => `video[${i}].url`), 'state',
  ];
  const rows = items.map((item) => [
    item.vehicle_id, item.title, item.description, item.make, item.model, item.year, item.body_style, item.exterior_color,
    item.mileage?.value, item.mileage?.unit, item.vin, ...Array.from({ length: images }, (_, i) => item.image_urls[i]),
    ...Array.from({ length: videos }, (_, i) => item.video_urls?.[i]), item.state,
  ]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
