/**
 * Which view of a car a frame shows, zero-shot from CLIP (pure): each view has an ensemble of prompts
 * whose text embeddings are averaged; a frame's view is the softmax over cosine similarities scaled by
 * CLIP's logit scale. Left and right are the car's own (the driver's side is the left in left-hand
 * drive markets). Also the order a listing shows views in.
 */

export const VIEWS = [
  'front',
  'front-three-quarter-left',
  'front-three-quarter-right',
  'side-left',
  'side-right',
  'rear-three-quarter-left',
  'rear-three-quarter-right',
  'rear',
  'dashboard',
  'front-seats',
  'rear-seats',
  'trunk',
  'engine-bay',
  'wheel',
  'instrument-cluster',
  'other',
] as const;
export type View = (typeof VIEWS)[number];

/** Views shot with no whole car in frame: inside it, under its bonnet, close to one part. */
export const DETAIL_VIEWS: ReadonlySet<View> = new Set<View>(['dashboard', 'front-seats', 'rear-seats', 'trunk', 'engine-bay', 'wheel', 'instrument-cluster']);
/** The walk round the outside: every view that is neither a detail nor 'other'. */
export const EXTERIOR_VIEWS: ReadonlySet<View> = new Set<View>(VIEWS.filter((v) => !DETAIL_VIEWS.has(v) && v !== 'other'));

export const VIEW_PROMPTS: Record<View, readonly string[]> = {
  front: ['a photo of the front of a car, seen head-on.', 'the front view of a car showing its grille and both headlights.', 'a car photographed straight from the front.'],
  'front-three-quarter-left': [
    'a front three-quarter view of a car showing its front and its left side.',
    'a car photographed from the front left corner.',
    'a photo of a car from the front, angled to show the driver side.',
  ],
  'front-three-quarter-right': [
    'a front three-quarter view of a car showing its front and its right side.',
    'a car photographed from the front right corner.',
    'a photo of a car from the front, angled to show the passenger side.',
  ],
  'side-left': ['a side view of a car, its left side, facing left.', 'a profile photo of the left side of a car.', 'the driver side of a car photographed side-on.'],
  'side-right': ['a side view of a car, its right side, facing right.', 'a profile photo of the right side of a car.', 'the passenger side of a car photographed side-on.'],
  'rear-three-quarter-left': [
    'a rear three-quarter view of a car showing its back and its left side.',
    'a car photographed from the rear left corner.',
    'a photo of a car from behind, angled to show the driver side.',
  ],
  'rear-three-quarter-right': [
    'a rear three-quarter view of a car showing its back and its right side.',
    'a car photographed from the rear right corner.',
    'a photo of a car from behind, angled to show the passenger side.',
  ],
  rear: ['a photo of the back of a car, seen straight from behind.', 'the rear view of a car showing its tail lights and number plate.', 'a car photographed from directly behind.'],
  dashboard: ['a photo of the dashboard and steering wheel inside a car.', 'the interior of a car seen from the back seat towards the dashboard.', 'a car dashboard with the centre console.'],
  'front-seats': ['a photo of the front seats of a car.', 'the driver seat and passenger seat inside a car.', 'a view through the open door of a car onto its front seat.'],
  'rear-seats': ['a photo of the back seats of a car.', 'the rear seat bench inside a car.', 'a view of the rear passenger seats of a car.'],
  trunk: ['a photo of the open trunk of a car.', 'the empty boot of a car, the cargo area.', 'the luggage space at the back of a car with the tailgate open.'],
  'engine-bay': ['a photo of the engine bay of a car with the hood open.', 'the engine of a car under the open bonnet.', 'a close-up photo of a car engine.'],
  wheel: ['a close-up photo of a car wheel and tyre.', 'an alloy rim and tire of a car.', 'a photo of the wheel of a car.'],
  'instrument-cluster': ['a close-up photo of a car odometer and instrument cluster.', 'the speedometer and mileage display of a car.', 'the gauges behind the steering wheel of a car.'],
  other: ['a photo of a parking lot.', 'a blurry photo of the ground.', 'a photo of a building, the sky or a person.'],
};

/** CLIP's learned logit scale (exp of the trained temperature) for ViT-B/32. */
export const CLIP_LOGIT_SCALE = 100;

export interface ViewLabel {
  view: View;
  confidence: number;
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Mean of unit vectors, normalised again: one embedding per class from its prompt ensemble. */
export function ensembleEmbedding(vectors: readonly Float32Array[]): Float32Array {
  if (vectors.length === 0) throw new Error('ensemble of no vectors');
  const out = new Float32Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) out[i] += v[i];
  const n = Math.sqrt(dot(out, out)) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}

/** Softmax of `scale` × cosine similarity of one unit vector against unit class vectors. */
export function zeroShotProbabilities(image: Float32Array, classes: readonly Float32Array[], scale = CLIP_LOGIT_SCALE): number[] {
  const logits = classes.map((c) => scale * dot(image, c));
  const max = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

/** Every prompt in a fixed order, and how to fold their embeddings back into one per view. */
export function viewPromptList(): { prompts: string[]; fold: (embeddings: readonly Float32Array[]) => Float32Array[] } {
  const prompts = VIEWS.flatMap((v) => VIEW_PROMPTS[v]);
  return {
    prompts,
    fold: (embeddings) => {
      let at = 0;
      return VIEWS.map((v) => {
        const n = VIEW_PROMPTS[v].length;
        const e = ensembleEmbedding(embeddings.slice(at, at + n));
        at += n;
        return e;
      });
    },
  };
}

/** The most likely view of an image embedding given one embedding per view (in VIEWS order). */
export function classifyView(image: Float32Array, viewEmbeddings: readonly Float32Array[], scale = CLIP_LOGIT_SCALE): ViewLabel {
  if (viewEmbeddings.length !== VIEWS.length) throw new Error(`expected ${VIEWS.length} view embeddings, got ${viewEmbeddings.length}`);
  const p = zeroShotProbabilities(image, viewEmbeddings, scale);
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return { view: VIEWS[best], confidence: p[best] };
}

/**
 * Listing order: the cover (front three-quarter), side, rear three-quarter, rear, front, the
 * interior, the engine, the wheels; unknown last. Lower comes first.
 */
const LISTING_RANK: Record<View, number> = {
  'front-three-quarter-left': 0,
  'front-three-quarter-right': 0,
  'side-left': 1,
  'side-right': 1,
  'rear-three-quarter-left': 2,
  'rear-three-quarter-right': 2,
  rear: 3,
  front: 4,
  dashboard: 5,
  'instrument-cluster': 6,
  'front-seats': 7,
  'rear-seats': 8,
  trunk: 9,
  'engine-bay': 10,
  wheel: 11,
  other: 12,
};

export function listingRank(view: View | null | undefined): number {
  return view ? LISTING_RANK[view] : LISTING_RANK.other;
}

/** The views a buyer expects to see, in listing order: one photo of each comes before any second photo of a view. */
export const EXPECTED_VIEW_GROUPS: readonly (readonly View[])[] = [
  ['front-three-quarter-left', 'front-three-quarter-right'],
  ['side-left', 'side-right'],
  ['rear-three-quarter-left', 'rear-three-quarter-right'],
  ['rear'],
  ['front'],
  ['dashboard'],
  ['instrument-cluster'],
  ['front-seats'],
  ['rear-seats'],
  ['trunk'],
  ['engine-bay'],
  ['wheel'],
];
