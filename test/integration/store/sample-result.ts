/** Builds analysis results with every field set (and every nullable field null somewhere). */
import type { CarInput, VideoResultInput } from '../../../src/store/index.js';

export function sampleCar(ordinal: number, photoCount = 3): CarInput {
  const known = ordinal % 2 === 1; // odd cars identified, even cars unknown (nulls)
  return {
    ordinal,
    color: ordinal === 1 ? 'red' : ordinal === 2 ? null : `colour "${ordinal}" ü`,
    bodyType: known ? 'suv' : null,
    make: known ? 'Toyota' : null,
    model: known ? 'RAV4' : null,
    year: known ? 2019 : null,
    makeModelConfidence: known ? 0.75 : null,
    makeModelCandidates: known
      ? [
          { make: 'Toyota', model: 'RAV4', score: 0.75, sources: ['badge', 'clip'] },
          { make: 'Honda', model: 'CR-V', score: 0.125, sources: [] },
        ]
      : [],
    evidence: known
      ? [
          { attribute: 'make', value: 'Toyota', source: 'vin', confidence: 1, detail: 'car-1/01.jpg: read JTMBFREV4HJ123456' },
          { attribute: 'year', value: 2019, source: 'sticker', confidence: 0.75 },
        ]
      : [],
    splitConfidence: known ? 0.5 : 1,
    splitWarnings: known ? ['possibly the same car as car 2'] : [],
    clipFile: known ? `car-${ordinal}/clip.mp4` : null,
    segments: [
      { startMs: ordinal * 10_000, endMs: ordinal * 10_000 + 4_500 },
      { startMs: ordinal * 10_000 + 6_000, endMs: ordinal * 10_000 + 6_001 },
    ],
    photos: Array.from({ length: photoCount }, (_, i) => ({
      ordinal: i + 1,
      file: `car-${ordinal}/photo-${String(i + 1).padStart(2, '0')}.jpg`,
      timestampMs: ordinal * 10_000 + i * 250,
      width: 1920,
      height: 1080,
      view: i === 0 ? 'front-left' : i === 1 ? null : 'rear',
      sharpness: 1234.5 + i,
      quality: { exposure: 0.5, centered: 0.25 + i / 8, occlusion: 0 },
      isCover: i === 0,
      plateRegions: i === 0 ? [{ x1: 100.5, y1: 800, x2: 420.25, y2: 880 }] : [],
      originalFile: i === 0 ? `car-${ordinal}/originals/01.jpg` : null,
    })),
    draft: {
      title: known ? `2019 Toyota RAV4 (car ${ordinal})` : `Car ${ordinal}`,
      description: "Line one.\nLine two with 'quotes' and \"double quotes\" and a backslash \\ and 🚗.",
      status: known ? 'ready' : 'needs_review',
      attributes: { color: 'red', mileageKm: null, features: ['awd', 'towbar'], nested: { a: 1, b: [true, false] } },
    },
  };
}

export function sampleResult(fingerprint: string, carCount: number, fileName = 'lot-walk.mp4'): VideoResultInput {
  return {
    video: {
      fingerprint,
      fileName,
      filePath: `/videos/${fileName}`,
      sizeBytes: 5_368_709_123, // above 2^32: exercises bigint
      durationMs: 93_456,
      width: 1080,
      height: 1920,
      fps: 29.97002997002997,
      rotation: 90,
      codec: 'hevc',
      bitDepth: 10,
      device: 'cpu',
      timingsMs: { probe: 12, sample: 2345.5, detect: 10_000, total: 15_000 },
    },
    cars: Array.from({ length: carCount }, (_, i) => sampleCar(i + 1, 2 + i)),
  };
}
