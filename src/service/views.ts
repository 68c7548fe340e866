/** Repository rows as the API shows them (pure). */
import type { ServiceCar, ServiceDraft, ServicePhoto, VideoSummary } from '../store/service.repository.js';

export const photoImagePath = (photoId: string): string => `/api/photos/${photoId}/image`;

export const photoView = (p: ServicePhoto) => ({
  id: p.id,
  ordinal: p.ordinal,
  width: p.width,
  height: p.height,
  cover: p.isCover,
  timestampMs: p.timestampMs,
  url: photoImagePath(p.id),
});

export const videoStatusView = (v: VideoSummary) => ({ id: v.id, status: v.status, progress: v.progress, stage: v.stage, error: v.error });

export const videoSummaryView = (v: VideoSummary) => ({
  ...videoStatusView(v),
  fileName: v.fileName,
  sizeBytes: v.sizeBytes,
  durationMs: v.durationMs,
  width: v.width,
  height: v.height,
  createdAt: v.createdAt.toISOString(),
  updatedAt: v.updatedAt.toISOString(),
  carCount: v.carCount,
  coverPhotoId: v.coverPhotoId,
});

export const draftBaseView = (d: ServiceDraft) => ({
  id: d.id,
  carId: d.carId,
  videoId: d.videoId,
  title: d.title,
  description: d.description,
  status: d.status,
  attributes: d.attributes,
  textStale: d.textStale,
  updatedAt: d.updatedAt.toISOString(),
});

export const draftView = (d: ServiceDraft, photos: ServicePhoto[]) => ({ ...draftBaseView(d), photos: photos.map(photoView) });

export const carView = (c: ServiceCar) => ({
  id: c.id,
  ordinal: c.ordinal,
  color: c.color,
  bodyType: c.bodyType,
  make: c.make,
  model: c.model,
  year: c.year,
  confidence: c.confidence,
  warnings: c.warnings,
  segments: c.segments,
  photos: c.photos.map(photoView),
  draft: c.draft ? draftBaseView(c.draft) : null,
});
