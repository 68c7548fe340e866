/** Appearance signature of a car crop and the distance between two of them (pure). */

export interface Appearance {
  /** L1-normalised colour histogram of the crop (see image-stats.colourHistogram). */
  colour: Float32Array;
  /** L2-normalised feature vector from the detector's own feature map, when the model provides one. */
  embedding?: Float32Array;
  /** L2-normalised CLIP image embedding of the car crop, when CLIP runs. */
  clip?: Float32Array;
}

/** Hellinger distance between two L1-normalised histograms, in [0, 1]. */
export function hellingerDistance(p: Float32Array, q: Float32Array): number {
  let bc = 0;
  for (let i = 0; i < p.length; i++) bc += Math.sqrt(p[i] * q[i]);
  return Math.sqrt(Math.max(0, 1 - bc));
}

/** Cosine distance of two L2-normalised vectors mapped to [0, 1]. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.min(1, Math.max(0, (1 - dot) / 2));
}

/** Colour share of the combined distance when an embedding is there too. */
const COLOUR_WEIGHT = 0.8;

/**
 * Distance in [0, 1]: 0 for identical crops. Colour statistics tell paint apart; the detector's
 * features tell shape apart (two white cars), so both count when both are known.
 */
export function appearanceDistance(a: Appearance, b: Appearance): number {
  const colour = hellingerDistance(a.colour, b.colour);
  const base = !a.embedding || !b.embedding ? colour : COLOUR_WEIGHT * colour + (1 - COLOUR_WEIGHT) * cosineDistance(a.embedding, b.embedding);
  if (!a.clip || !b.clip) return base;
  return (1 - CLIP_WEIGHT) * base + CLIP_WEIGHT * clipDistance(a.clip, b.clip);
}

/** CLIP's share of the combined distance: it knows a model from another of the same colour and shape class. */
const CLIP_WEIGHT = 0.25;
/**
 * Cosine similarity of CLIP image embeddings of the same car from different sides sits around 0.75-0.9,
 * of two different cars around 0.5-0.7; mapped so that 0.9 and above is 0 and 0.4 and below is 1.
 */
const CLIP_SAME = 0.9;
const CLIP_DIFFERENT = 0.4;

export function clipDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.min(1, Math.max(0, (CLIP_SAME - dot) / (CLIP_SAME - CLIP_DIFFERENT)));
}

function meanVector(vectors: Float32Array[], l2: boolean): Float32Array {
  const out = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) out[i] += v[i];
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += l2 ? out[i] * out[i] : out[i];
  norm = l2 ? Math.sqrt(norm) : norm;
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** Mean signature of several crops (normalised again). */
export function meanAppearance(items: readonly Appearance[]): Appearance {
  if (items.length === 0) throw new Error('meanAppearance of nothing');
  const embeddings = items.every((a) => a.embedding) ? items.map((a) => a.embedding!) : undefined;
  const clips = items.every((a) => a.clip) ? items.map((a) => a.clip!) : undefined;
  return {
    colour: meanVector(items.map((a) => a.colour), false),
    embedding: embeddings ? meanVector(embeddings, true) : undefined,
    clip: clips ? meanVector(clips, true) : undefined,
  };
}
