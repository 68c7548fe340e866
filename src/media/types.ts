/** What probe() learns about a video. Sizes are display sizes: after rotation. */
export interface VideoInfo {
  file: string;
  sizeBytes: number;
  durationMs: number;
  /** Display width and height (rotation applied). */
  width: number;
  height: number;
  /** Stored (coded) width and height as in the stream. */
  codedWidth: number;
  codedHeight: number;
  /** Average frame rate. */
  fps: number;
  variableFrameRate: boolean;
  codec: string;
  pixelFormat: string;
  bitDepth: number;
  /** Clockwise display rotation in degrees: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  hasAudio: boolean;
  /** Largest gap between keyframes seen in the first stretch of the video, or null when unknown. */
  maxKeyframeIntervalMs: number | null;
  /** Colour metadata used to convert HDR/10-bit video to sRGB. */
  colorTransfer: string | null;
  colorPrimaries: string | null;
  colorSpace: string | null;
  /** `tv` (limited) or `pc` (full), as ffprobe reports it; null when untagged. */
  colorRange: string | null;
  /** Index of the analysed video stream in the file (ffmpeg `-map 0:N`); cover art is never chosen. */
  streamIndex: number;
  /**
   * Start of the video stream and of the whole file on the file's own clock, in ms (may be fractional:
   * these feed seek arithmetic, not display). Display time = pts - streamStartMs; ffmpeg's `-ss` counts
   * from fileStartMs, which is earlier than streamStartMs when, say, audio starts first.
   */
  streamStartMs: number;
  fileStartMs: number;
}

/** One decoded, upright RGB24 frame at analysis resolution. */
export interface Frame {
  /** Display time from the start of the video, integer milliseconds. */
  timestampMs: number;
  width: number;
  height: number;
  /** width * height * 3 bytes, RGB, row-major. */
  data: Uint8Array;
}

export type SampleMode = { kind: 'keyframes' } | { kind: 'rate'; fps: number };

export interface SampleOptions {
  mode: SampleMode;
  /** Long side of the output frames in pixels (aspect kept, even sizes; never upscaled: smaller video stays as is). */
  longSide: number;
  /** Frames per yielded batch. */
  batchSize: number;
  /** Decode only this window of display time (ms); whole video when omitted. */
  startMs?: number;
  endMs?: number;
  /**
   * Cheaper, rougher decoding for a quick look (rate mode): no deblocking, and frames no other frame
   * refers to are skipped. Not for photos.
   */
  roughDecode?: boolean;
  /** Keep only the frames shown at these display times (ms); ffmpeg drops the rest before scaling. */
  onlyAtMs?: readonly number[];
  /**
   * Also writes every sampled frame at full size as a JPEG `<dir>/<timestampMs>.jpg` (quality 1-100),
   * from the same decode: a photo of a sampled frame then needs no second decode. `onWritten` hears
   * each one once it is complete on disk (a reader during the decode waits for it).
   */
  stills?: { dir: string; quality: number; onWritten?: (timestampMs: number) => void };
  /** Counts what this decode delivered (added to what is there). */
  stats?: DecodeStats;
  signal?: AbortSignal;
  /** Decode at a low CPU priority (work nobody waits on: a clip's plate search), see SpawnOptions. */
  background?: boolean;
}

/** What a run's decoders delivered to Node: ffmpeg runs, frames and raw rgb24 bytes. */
export interface DecodeStats {
  runs: number;
  frames: number;
  bytes: number;
}

export const emptyDecodeStats = (): DecodeStats => ({ runs: 0, frames: 0, bytes: 0 });
