/**
 * The steadiest moments of a clip (pure): from how much each frame differs from the one before, the
 * start times of the windows with the least change, apart from each other.
 */

export interface MotionSample {
  timestampMs: number;
  /** Mean absolute difference from the previous frame, 0..255. */
  change: number;
}

/**
 * Up to `count` window starts of `windowMs`, least mean change first considered, none overlapping
 * another, returned in time order. The clip's first and last `edgeMs` are avoided (arriving, leaving).
 */
export function steadiestWindows(samples: readonly MotionSample[], clipMs: number, windowMs: number, count: number, edgeMs = 500): number[] {
  if (count <= 0 || clipMs < windowMs) return [];
  const lo = clipMs >= windowMs + 2 * edgeMs ? edgeMs : 0;
  const hi = clipMs - windowMs - lo;
  const step = 250;
  const candidates: { startMs: number; cost: number }[] = [];
  for (let start = lo; start <= hi; start += step) {
    const inside = samples.filter((s) => s.timestampMs >= start && s.timestampMs < start + windowMs);
    const cost = inside.length > 0 ? inside.reduce((sum, s) => sum + s.change, 0) / inside.length : Number.POSITIVE_INFINITY;
    candidates.push({ startMs: start, cost });
  }
  candidates.sort((a, b) => a.cost - b.cost || a.startMs - b.startMs);
  const chosen: number[] = [];
  for (const c of candidates) {
    if (chosen.length >= count) break;
    if (chosen.every((t) => Math.abs(t - c.startMs) >= windowMs)) chosen.push(c.startMs);
  }
  return chosen.sort((a, b) => a - b);
}

/** Per-frame change of small grey frames laid end to end (`width*height` bytes each), one every `frameMs`. */
export function motionSamples(grey: Uint8Array, width: number, height: number, frameMs: number): MotionSample[] {
  const size = width * height;
  const out: MotionSample[] = [];
  for (let k = 1; (k + 1) * size <= grey.length; k++) {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += Math.abs(grey[k * size + i] - grey[(k - 1) * size + i]);
    out.push({ timestampMs: Math.round(k * frameMs), change: sum / size });
  }
  return out;
}
