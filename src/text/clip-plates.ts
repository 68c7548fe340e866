/**
 * Plates through a clip (pure): the plates found on frames sampled along it are joined into tracks
 * (the same plate at the next sample is the nearest one within `clipLinkWidths` plate widths, also
 * across a few samples where it was missed), and each track becomes blur pieces: between two of its
 * samples a rectangle moving in a straight line, grown by `clipPadShare`; before its first and after
 * its last sample the box held still for one sample interval, grown twice as much (the plate moves
 * meanwhile, unseen). A plate seen on no sample is not blurred: sampling often enough is what covers it.
 */
import type { Box } from '../core/geometry.js';
import type { BlurPiece } from '../media/clip-encode-args.js';
import type { PlateSettings } from './plates.js';

/** The plates found on one sampled frame (display ms of the clip, output pixels). */
export interface PlateSample {
  timeMs: number;
  boxes: Box[];
}

interface TrackPoint {
  timeMs: number;
  box: Box;
}

export type ClipPlateSettings = Pick<PlateSettings, 'blurSigma' | 'clipLinkWidths' | 'clipMaxMissedSamples' | 'clipPadShare'>;

const width = (b: Box) => b.x2 - b.x1;
const centreDistance = (a: Box, b: Box) => Math.hypot((a.x1 + a.x2 - b.x1 - b.x2) / 2, (a.y1 + a.y2 - b.y1 - b.y2) / 2);

/** The samples' plates joined into tracks, each in time order; nearest pairs are joined first. */
export function plateTracks(samples: readonly PlateSample[], settings: Pick<ClipPlateSettings, 'clipLinkWidths' | 'clipMaxMissedSamples'>): TrackPoint[][] {
  const ordered = [...samples].sort((a, b) => a.timeMs - b.timeMs);
  const tracks: { points: TrackPoint[]; lastSample: number }[] = [];
  ordered.forEach((sample, s) => {
    const open = tracks.filter((t) => s - t.lastSample - 1 <= settings.clipMaxMissedSamples);
    const pairs: { track: (typeof tracks)[number]; box: number; distance: number }[] = [];
    for (const track of open) {
      const last = track.points[track.points.length - 1].box;
      sample.boxes.forEach((box, k) => {
        const distance = centreDistance(last, box);
        if (distance <= settings.clipLinkWidths * Math.max(width(last), width(box))) pairs.push({ track, box: k, distance });
      });
    }
    pairs.sort((a, b) => a.distance - b.distance);
    const takenTracks = new Set<object>();
    const takenBoxes = new Set<number>();
    for (const pair of pairs) {
      if (takenTracks.has(pair.track) || takenBoxes.has(pair.box)) continue;
      takenTracks.add(pair.track);
      takenBoxes.add(pair.box);
      pair.track.points.push({ timeMs: sample.timeMs, box: sample.boxes[pair.box] });
      pair.track.lastSample = s;
    }
    sample.boxes.forEach((box, k) => {
      if (!takenBoxes.has(k)) tracks.push({ points: [{ timeMs: sample.timeMs, box }], lastSample: s });
    });
  });
  return tracks.map((t) => t.points);
}

/** `box` grown by `share` of its width on every side (a plate moves mostly along its length, and its height is small). */
function grown(box: Box, share: number): Box {
  const d = share * width(box);
  return { x1: box.x1 - d, y1: box.y1 - d, x2: box.x2 + d, y2: box.y2 + d };
}

function piece(fromMs: number, toMs: number, a: Box, b: Box, sigma: number): BlurPiece {
  const w = Math.max(width(a), width(b));
  const h = Math.max(a.y2 - a.y1, b.y2 - b.y1);
  // The rectangle keeps one size: centred on each end's box.
  const corner = (box: Box) => ({ x: (box.x1 + box.x2 - w) / 2, y: (box.y1 + box.y2 - h) / 2 });
  return { fromMs, toMs, width: w, height: h, from: corner(a), to: corner(b), sigma };
}

/**
 * Blur pieces for the plates found on `samples`, sampled every `intervalMs` of a clip `durationMs` long.
 * The blur's sigma follows the plate's height (`blurSigma`, as in the photos).
 */
export function clipBlurPieces(samples: readonly PlateSample[], clip: { durationMs: number; intervalMs: number }, settings: ClipPlateSettings): BlurPiece[] {
  const pieces: BlurPiece[] = [];
  const within = (ms: number) => Math.min(clip.durationMs, Math.max(0, ms));
  for (const points of plateTracks(samples, settings)) {
    const sigma = Math.max(2, settings.blurSigma * Math.max(...points.map((p) => p.box.y2 - p.box.y1)));
    const first = points[0];
    const last = points[points.length - 1];
    const held = (p: TrackPoint) => grown(p.box, 2 * settings.clipPadShare);
    pieces.push(piece(within(first.timeMs - clip.intervalMs), first.timeMs, held(first), held(first), sigma));
    for (let k = 1; k < points.length; k++) {
      const a = points[k - 1];
      const b = points[k];
      pieces.push(piece(a.timeMs, b.timeMs, grown(a.box, settings.clipPadShare), grown(b.box, settings.clipPadShare), sigma));
    }
    pieces.push(piece(last.timeMs, within(last.timeMs + clip.intervalMs), held(last), held(last), sigma));
  }
  return pieces.filter((p) => p.toMs >= p.fromMs);
}
