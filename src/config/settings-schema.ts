/**
 * The settings file's schema: one group per stage, each stage given only its group. Thresholds and
 * limits live here, not as literals inside algorithms. Every object is strict: an unknown key (a typo)
 * is an error, never silently ignored. Groups default to `{}` so a file names only what it changes.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Frame sampling: which frames of the video the analysis sees, and how big. */
export const samplingSchema = z.strictObject({
  /** Long side of the frames the analysis sees, in pixels. */
  longSide: z.number().int().min(160).max(1920).default(640),
  /** Use keyframes only when they are at most this far apart; else sample at `sampleFps`. */
  maxKeyframeIntervalMs: z.number().int().positive().default(2000),
  sampleFps: z.number().positive().max(30).default(2),
  /** Frames the decoder hands over at a time, and per inference batch unless a model sets its own. */
  batchSize: z.number().int().min(1).max(64).default(8),
});

/** The car detector (YOLOX) and which of its cars is the one being filmed. */
export const detectionSchema = z.strictObject({
  /** Frames per YOLOX run (default: sampling.batchSize). Larger batches pay off on a GPU (see `npm run bench`). */
  batchSize: z.number().int().min(1).max(64).optional(),
  scoreThreshold: z.number().min(0).max(1).default(0.1),
  nmsIou: z.number().min(0).max(1).default(0.45),
  /**
   * CPU threads per inference. Half the cores by default: the decoder works on the other half at the
   * same time, so inference with every core would only take them away from it.
   */
  threads: z.number().int().min(1).max(256).default(Math.max(1, Math.floor(availableParallelism() / 2))),
  /** A car is "dominant" when its box covers at least this share of the frame's area. */
  dominantMinArea: z.number().min(0).max(1).default(0.06),
});

/** Splitting the walkaround into cars by appearance. */
export const segmentationSchema = z.strictObject({
  /** Appearance distance above which two stretches are different cars. */
  splitDistance: z.number().positive().default(0.33),
  /** Segments this similar are the same car filmed again (a revisit). */
  mergeDistance: z.number().positive().default(0.16),
  /** A gap without a dominant car longer than this ends a segment. */
  maxGapMs: z.number().int().positive().default(1500),
  /** Segments shorter than this are dropped as passing glimpses. */
  minSegmentMs: z.number().int().positive().default(1500),
  /** Continuity: how far the car's box centre may move per second (in box widths) and grow or shrink (a factor). */
  continuityMaxShiftPerSecond: z.number().positive().default(1),
  continuityMaxScalePerSecond: z.number().min(1).default(3),
  /** Appearance prototypes per car (one per view): a sighting this far from all of them opens another. */
  prototypeDistance: z.number().positive().default(0.15),
  maxPrototypes: z.number().int().min(1).max(32).default(8),
  /** Dense look where coarse samples disagree: a step of look between two frames above this is another car... */
  changeStepDistance: z.number().positive().default(0.2),
  /** ...and so is this many frames in a row with no car. */
  changeGapFrames: z.number().int().min(1).default(2),
  /** A stretch without a whole car at most this long between sightings of the same car: its close-ups. */
  closeUpMaxMs: z.number().int().positive().default(20000),
  /**
   * Cars finished while the video is still analysed, as soon as the camera has left them for good:
   * 'first' (the analysis waits while such a car is finished: its draft comes soonest where the two
   * share the same cores), 'beside' (both at once, for machines with cores to spare), 'off' (every car
   * at the end).
   */
  earlyCars: z.enum(['first', 'beside', 'off']).default('first'),
});

/** Refining each car's start and end by decoding densely around it. */
export const edgesSchema = z.strictObject({
  /** Frames per second decoded around each segment edge (and around a blurry photo) to look closer. */
  refineFps: z.number().positive().max(30).default(6),
  /** An edge whose neighbouring samples already pin it within this is not refined. */
  toleranceMs: z.number().int().positive().default(500),
  /** Longest stretch decoded at one segment edge. */
  windowMs: z.number().int().positive().default(2500),
});

/** Choosing and writing each car's photos. */
export const photosSchema = z.strictObject({
  /** Photos per car. */
  maxPhotos: z.number().int().min(1).max(60).default(12),
  /** Photos are not taken this close to the start or end of a car's segment. */
  edgeMarginMs: z.number().int().min(0).default(600),
  /** A chosen photo less sharp than this share of the car's sharp frames gets its neighbours looked at. */
  sharpenBelow: z.number().min(0).max(1).default(0.35),
  /** How far from such a photo to look for a sharper frame (after it only, when it is a keyframe). */
  sharpenWindowMs: z.number().int().positive().default(500),
  jpegQuality: z.number().int().min(50).max(100).default(90),
  /** Close-up photos (VIN card, labels, details) kept per car when sharp, besides its views of the whole car. */
  closeUpPhotos: z.number().int().min(0).max(12).default(2),
  /**
   * A close-up becomes a photo only when at least this share as sharp as the car's sharp frames: a
   * motion-blurred frame in which the detector lost the car looks like a close-up too.
   */
  closeUpMinSharpness: z.number().min(0).max(1).default(0.35),
});

/** Reading text (VINs, badges, stickers, plates) with OCR (PP-OCRv4). */
export const ocrSchema = z.strictObject({
  /** Read text when the OCR models are installed. */
  enabled: z.boolean().default(true),
  /** Long side the text detector sees at most. */
  detLimitSide: z.number().int().min(320).max(4096).default(960),
  /** Pictures smaller than that are enlarged for the text detector at most this many times (small plates). */
  detMaxUpscale: z.number().min(1).max(4).default(2),
  /** Text detector: a map pixel above this is text; a region below `boxThreshold` mean is dropped. */
  detThreshold: z.number().min(0).max(1).default(0.3),
  boxThreshold: z.number().min(0).max(1).default(0.6),
  /** DB unclip ratio: how far a detected region is grown back. */
  unclipRatio: z.number().positive().default(1.5),
  /** Text regions with a shorter side (detector pixels) are noise. */
  minBoxSize: z.number().positive().default(3),
  maxBoxes: z.number().int().positive().default(100),
  /** Text is looked for only on the car: its box grown by this share of its size on each side. */
  carMargin: z.number().min(0).max(1).default(0.08),
  /** Widest text line the recogniser sees (pixels at 48 px height). */
  recMaxWidth: z.number().int().min(320).max(4096).default(1600),
  /** Lines read with a lower mean character probability are dropped. */
  minTextScore: z.number().min(0).max(1).default(0.5),
  /**
   * CPU threads per OCR inference. All cores by default: text is read after the video is decoded and
   * the photos are out, when nothing else needs the CPU.
   */
  threads: z.number().int().min(1).max(256).default(availableParallelism()),
  /** Extra frames per car, besides its photos, looked at for text (sharp close-ups first). */
  extraFrames: z.number().int().min(0).max(60).default(4),
});

/**
 * Licence plates: found without reading them (plate-shaped text on vehicles, src/text/plates.ts) and
 * blurred. The finder's thresholds were chosen on the tuning half of ../shared/media/plates and its
 * harder variants (benchmarks/plate-finder.ts).
 */
export const platesSchema = z.strictObject({
  /** Blur licence plates in exported photos (the unblurred original is kept beside them). */
  blur: z.boolean().default(true),
  /** Blur strength (Gaussian sigma) as a share of the plate's thickness. */
  blurSigma: z.number().positive().default(0.35),
  /** A plate's text line: length / thickness along its own direction. */
  minAspect: z.number().positive().default(2),
  maxAspect: z.number().positive().default(8.5),
  /** Steepest slant in degrees (plates up to 45°, with the slant's estimate a few degrees off). */
  maxAngleDeg: z.number().min(0).max(90).default(50),
  /** Thinnest text line, in picture pixels. */
  minTextHeight: z.number().min(0).default(7),
  /** Vehicles the detector is less sure of are not vehicles here. */
  minVehicleScore: z.number().min(0).max(1).default(0.1),
  /** On a vehicle, a plate's centre is below this share of the box's height and its line at most this share of its width. */
  minHeightOnCar: z.number().min(0).max(1).default(0.35),
  maxWidthOnCar: z.number().min(0).max(1).default(0.6),
  /** Lines lower than this share of the tallest plate-shaped line on their vehicle are badges... */
  minHeightVsTallest: z.number().min(0).max(1).default(0.7),
  /** ...unless the lowest on the vehicle (plates sit under grilles) and at least this share. */
  lowestMinHeightVsTallest: z.number().min(0).max(1).default(0.4),
  /** What the recogniser read counts from this mean character probability. */
  minWordScore: z.number().min(0).max(1).default(0.8),
  /** The plate's border around its characters: shares of the line's length (each end) and thickness (each side). */
  marginAlong: z.number().min(0).default(0.2),
  marginAcross: z.number().min(0).default(0.55),
  /** The listed car narrower than `zoomBelowWidth` detector pixels, with no plate found on it by the reading, is looked at closer: brought to `zoomToWidth`, at most `maxZoom` detector pixels per picture pixel. */
  zoomBelowWidth: z.number().positive().default(400),
  zoomToWidth: z.number().positive().default(1024),
  maxZoom: z.number().positive().max(8).default(3),
  /** Small vehicles looked at closer per picture, and whether other vehicles than the listed car are (costly). */
  maxZoomedVehicles: z.number().int().min(0).default(1),
  zoomOtherVehicles: z.boolean().default(false),
  /** Extra detector passes (closer looks, other vehicles) are for vehicles the detector is this sure of. */
  minPassVehicleScore: z.number().min(0).max(1).default(0.5),
  /** Other vehicles, outside the searched car, are searched at this share of the picture's detector scale. */
  otherVehicleScale: z.number().positive().max(2).default(0.5),
  /** Pieces of one line of text (a plate split by the detector) are joined when this close along it, in line thicknesses... */
  fragmentMaxGap: z.number().min(0).default(0.8),
  /** ...at least this share as thick as each other, and slanted within this many degrees of each other. */
  fragmentMinHeightShare: z.number().min(0).max(1).default(0.6),
  fragmentMaxTurnDeg: z.number().min(0).max(90).default(12),
  /** A vehicle with no plate found but a stub of text low on it (this long for its thickness, short of `minAspect`) is looked at again closer... */
  stubMinAspect: z.number().positive().default(1),
  /** ...its text brought to this many detector pixels tall, at most this many stubs per picture. */
  stubLookTextHeight: z.number().positive().default(48),
  maxStubLooks: z.number().int().min(0).default(2),
  /** The closer look spans this many stub thicknesses above and below it (the text detector needs some surroundings). */
  stubLookContext: z.number().positive().default(4),
  /**
   * Each car's published clip is re-encoded (H.264, index up front) with its plates blurred, found on
   * frames sampled along it and tracked in between (src/text/clip-plates.ts); with `blur` off it is cut
   * without re-encoding. Its shorter side in pixels (720: 1280x720 landscape; smaller videos stay).
   */
  clipShortSide: z.number().int().min(144).max(2160).default(720),
  /** x264 quality (lower: better and larger) and speed preset of the clip. */
  clipCrf: z.number().int().min(0).max(51).default(23),
  clipPreset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  /** Frames per second of the clip searched for plates. */
  clipSampleFps: z.number().positive().max(30).default(2),
  /** A sampled frame is searched for plates only below each vehicle's roof line, grown by this share of the vehicle's height (the whole frame when no vehicle is seen). */
  clipSearchMargin: z.number().min(0).max(1).default(0.1),
  /** ...each vehicle wider than this many text-detector pixels at the frame's scale brought down to it (a large vehicle's plate is large). */
  clipVehicleWidth: z.number().positive().default(480),
  /** A plate found at the next sample within this many plate widths of where it was is the same plate... */
  clipLinkWidths: z.number().positive().default(1.5),
  /** ...followed across at most this many samples in a row where it was missed. */
  clipMaxMissedSamples: z.number().int().min(0).default(2),
  /** Each blurred box in the clip grown by this share of its size on each side (plates move between samples). */
  clipPadShare: z.number().min(0).default(0.25),
});

/** Text evidence: the market whose generated make/model catalogue text is matched against, and where a badge may sit. */
export const textSchema = z.strictObject({
  /** The catalogue's market (src/vehicle/catalogue/<market>.json); LOTREEL_MARKET sets it too. */
  market: z.enum(['us', 'eu']).default('us'),
  /** A badge line is at most this share of the car box's height tall; taller text is a sign. */
  badgeMaxHeightShare: z.number().positive().max(1).default(0.12),
  /** ... and at most this share of its width wide. */
  badgeMaxWidthShare: z.number().positive().max(1).default(0.45),
  /** At least this share of a badge line's box lies on the car's box; text off the car is a sign. */
  badgeMinInside: z.number().min(0).max(1).default(0.8),
  /** Lines stacked in a block of at least this many are a sticker or board, read as a document. */
  boardMinLines: z.number().int().min(2).default(3),
});

/** CLIP (when its weights are in the models folder): the manifest family, images and texts per run. */
export const clipSchema = z.strictObject({
  family: z.string().min(1).default('clip-vit-base-patch32'),
  imageBatchSize: z.number().int().min(1).max(256).default(16),
  textBatchSize: z.number().int().min(1).max(1024).default(64),
  /**
   * CPU threads per CLIP inference. All cores by default: with keyframe sampling the decoder is light
   * and CLIP, the heaviest model, would otherwise leave a core idle.
   */
  threads: z.number().int().min(1).max(256).default(availableParallelism()),
});

/** CLIP's view labels (front, rear, interior, ...). */
export const viewsSchema = z.strictObject({
  /** A view label below this confidence does not count as that view (photo coverage, detail shots). */
  minConfidence: z.number().min(0).max(1).default(0.3),
  /** Interior and other detail shots attach to a car filmed at most this far before (or after) them. */
  detailAttachMs: z.number().int().positive().default(60000),
});

/** Make and model by CLIP against the catalogue. */
export const makeModelSchema = z.strictObject({
  /** Frames compared per car. */
  frames: z.number().int().min(1).max(64).default(8),
  /** Softmax temperature on top of CLIP's logit scale: above 1 flattens overconfident scores. */
  temperature: z.number().positive().default(1),
  /** The top candidate's confidence needed to set make and model. */
  minConfidence: z.number().min(0).max(1).default(0.5),
  /** How many of CLIP's Stanford Cars prompt templates each catalogue entry gets (first-run cost grows with it). */
  templates: z.number().int().min(1).max(8).default(2),
});

/**
 * The vPIC catalogue filter CLIP chooses make and model from: makes (empty: every make of the market's
 * generated catalogue, `text.market`), vehicle types, newest-model-year floor.
 */
export const catalogueSchema = z.strictObject({
  makes: z.array(z.string().min(1)).default([]),
  vehicleTypes: z.array(z.string().min(1)).default(['Passenger Car', 'Multipurpose Passenger Vehicle (MPV)', 'Truck']),
  minYear: z.number().int().min(1950).max(2100).default(2005),
});

/** Limits on listing text (checked in code on every text) and on what the LLM is asked. */
export const listingTextSchema = z.strictObject({
  titleMaxChars: z.number().int().min(10).default(80),
  descriptionMinChars: z.number().int().min(0).default(40),
  descriptionMaxChars: z.number().int().min(40).default(1000),
  maxHighlights: z.number().int().min(0).default(5),
  highlightMaxChars: z.number().int().min(5).default(60),
  /** After this many failed LLM requests in a row the rest of the run uses the templates straight away. */
  llmMaxConsecutiveFailures: z.number().int().min(1).default(2),
  /** Photos shown to the LLM when it is asked about make and model, and their long side in pixels. */
  llmPhotos: z.number().int().min(1).max(8).default(3),
  llmPhotoLongSide: z.number().int().min(128).max(2048).default(768),
  /**
   * The most confidence an LLM's make/model opinion may carry. Below resolveAttributes' threshold
   * (0.5) by default: alone it stays a candidate for the seller to confirm, never a fact.
   */
  llmEvidenceMaxConfidence: z.number().min(0).max(1).default(0.45),
});

/** The seller's editor: how edited photos are rendered (src/edits). */
export const editorSchema = z.strictObject({
  jpegQuality: z.number().int().min(50).max(100).default(90),
  /** The editor's previews keep at least this long side (shrunk by 2, 4 or 8 while decoding); full size on request. */
  previewLongSide: z.number().int().min(256).max(8192).default(1024),
  /** Blur strength: the Gaussian sigma as a share of the blurred region's shorter side. */
  blurSigmaShare: z.number().positive().max(1).default(0.25),
  /** Auto-enhance stretches the levels between these luminance percentiles (of 100)... */
  enhanceLowPercentile: z.number().min(0).max(20).default(0.5),
  enhanceHighPercentile: z.number().min(80).max(100).default(99.5),
  /** ...but never by more than this contrast gain, so a flat grey photo is not turned into noise. */
  enhanceMaxGain: z.number().min(1).max(8).default(2.5),
  /**
   * libvips threads per render (sharp.concurrency, set by `lotreel serve`): sharp's own default on glibc
   * is 1, which leaves the other cores idle while a seller waits for a 12-megapixel render.
   */
  renderThreads: z.number().int().min(1).max(64).default(availableParallelism()),
  /** Decoded originals kept in memory for the next edit of the same photo (0: none). */
  decodedCacheBytes: z.number().int().min(0).default(192 * 1024 * 1024),
  /**
   * The editor warns when an edited photo is smaller than this on its long or short side: listing
   * sites ask for about 1024 px wide and show smaller photos soft or not at all.
   */
  smallPhotoLongSide: z.number().int().min(1).default(1024),
  smallPhotoShortSide: z.number().int().min(1).default(576),
  /**
   * Days a published image link (the feed's, opened without a token) stays valid, unless the dealer set
   * their own (PUT /api/image-links): long enough for a marketplace's daily fetch to keep its images.
   */
  imageLinkDays: z.number().int().min(1).max(366).default(30),
});

/** Short videos made from a draft (src/reel): timing, motion and encoding. */
export const reelSchema = z.strictObject({
  /** How long each photo is on screen before transitions, ms (lengthened to reach `minDurationMs`). */
  photoShotMs: z.number().int().min(1000).max(10000).default(3000),
  /** Crossfade between shots, ms. */
  transitionMs: z.number().int().min(0).max(2000).default(500),
  /** The reel's length stays within these (the shortest shown on feeds; the longest people watch). */
  minDurationMs: z.number().int().min(3000).default(12000),
  maxDurationMs: z.number().int().min(5000).max(120000).default(30000),
  /** Cuts of the car's clip: length and how many (its steadiest moments). */
  clipCutMs: z.number().int().min(1000).max(8000).default(3000),
  maxClipCuts: z.number().int().min(0).max(4).default(2),
  /** Ken Burns: the closest a photo shot zooms in (1 = no motion). */
  maxZoom: z.number().min(1).max(2).default(1.1),
  /** Room left round the car's box in the framing, as a share of the box. */
  boxMargin: z.number().min(0).max(1).default(0.08),
  /** Caption text height as a share of the frame's width. */
  captionSizeShare: z.number().min(0.02).max(0.12).default(0.058),
  /** x264 quality and speed (NVENC when `encoder` is h264_nvenc). */
  crf: z.number().int().min(10).max(40).default(22),
  preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  encoder: z.enum(['libx264', 'h264_nvenc']).default('libx264'),
  /** Music under narration is lowered by this factor (0..1) while the narration speaks. */
  musicVolume: z.number().min(0).max(1).default(0.35),
  /** Text-to-speech of the narration (with an OpenAI-compatible key): model and voice. */
  ttsModel: z.string().min(1).default('gpt-4o-mini-tts'),
  ttsVoice: z.string().min(1).default('alloy'),
  /** A finished reel is rendered again this many seconds after the seller's last change to what it shows (edits in between make one render). */
  rerenderAfterEditS: z.number().int().min(0).max(86400).default(60),
});

/** The analysis' groups, in the order the stages run. */
const ANALYSIS_GROUPS = {
  sampling: samplingSchema,
  detection: detectionSchema,
  segmentation: segmentationSchema,
  edges: edgesSchema,
  photos: photosSchema,
  ocr: ocrSchema,
  plates: platesSchema,
  text: textSchema,
  clip: clipSchema,
  views: viewsSchema,
  makeModel: makeModelSchema,
  catalogue: catalogueSchema,
  listingText: listingTextSchema,
} as const;

/** Every group's schema (the editor's last): the settings file's top-level keys. */
export const SETTINGS_GROUPS = { ...ANALYSIS_GROUPS, editor: editorSchema, reel: reelSchema } as const;

type Defaulted<T extends Record<string, z.ZodType>> = { [G in keyof T]: z.ZodPrefault<T[G]> };
/** A group left out of the file is `{}`: every key at its default. */
const defaulted = <T extends Record<string, z.ZodType>>(groups: T): Defaulted<T> =>
  Object.fromEntries(Object.entries(groups).map(([name, schema]) => [name, schema.prefault({})])) as Defaulted<T>;

/** A settings file (`--config FILE`, `LOTREEL_CONFIG`): the analysis' groups and the editor's. */
export const settingsSchema = z.strictObject(defaulted(SETTINGS_GROUPS));
export const analysisSchema = z.strictObject(defaulted(ANALYSIS_GROUPS));

export type Settings = z.infer<typeof settingsSchema>;
/** What the pipeline uses: every group but the editor's. */
export type AnalysisSettings = z.infer<typeof analysisSchema>;
/** A stage's group: `AnalysisSettings['ocr']` and so on. */
export type SamplingSettings = AnalysisSettings['sampling'];
export type ListingTextSettings = AnalysisSettings['listingText'];
export type EditorSettings = Settings['editor'];
export type ReelSettings = Settings['reel'];

/** Overrides as a file or a test writes them: any group, any of its keys. */
export type SettingsInput = { [G in keyof Settings]?: Partial<Settings[G]> };
