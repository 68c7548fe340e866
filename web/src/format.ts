/** How the page words things: times, a video's progress, a draft's status, where a value came from. */
import type { DraftStatus, FieldSource, VideoProgress } from './api-types.js';

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function progressText(v: VideoProgress): string {
  if (v.status === 'done') return 'done';
  if (v.status === 'failed') return `failed${v.error ? `: ${v.error}` : ''}`;
  return `${v.status}${v.stage ? ` (${v.stage})` : ''} ${Math.round(v.progress * 100)} %`;
}

export const statusLabel = (status: DraftStatus): string => status.replace('_', ' ');

/** Every source the API can name (a new one fails the type check until it has a name here). */
const SOURCE_NAMES: Record<FieldSource, string> = {
  seller: 'you',
  vin: 'VIN',
  sticker: 'sticker',
  badge: 'badge',
  vision: 'photo',
  clip: 'CLIP',
  llm: 'LLM',
  generated: 'generated',
};

export const sourceName = (source: FieldSource): string => SOURCE_NAMES[source] ?? source;

/** How many cars a video has, or that they are still being found. */
export function carCount(count: number, status: VideoProgress['status']): string {
  if (count === 0) return status === 'done' ? 'no cars' : status === 'failed' ? '' : 'cars: finding…';
  return count === 1 ? '1 car' : `${count} cars`;
}
