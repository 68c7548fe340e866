/** What probe() reports for the EPFL car01 video; tests override what they need. */
import type { VideoInfo } from '../../src/media/types.js';

export const car01Info = (over: Partial<VideoInfo> = {}): VideoInfo => ({
  file: '/v/car.mp4',
  sizeBytes: 1000,
  durationMs: 11800,
  width: 376,
  height: 250,
  codedWidth: 376,
  codedHeight: 250,
  fps: 10,
  variableFrameRate: false,
  codec: 'h264',
  pixelFormat: 'yuv420p',
  bitDepth: 8,
  rotation: 0,
  hasAudio: false,
  maxKeyframeIntervalMs: 1000,
  colorTransfer: null,
  colorPrimaries: null,
  colorSpace: 'bt470bg',
  colorRange: 'tv',
  streamIndex: 0,
  streamStartMs: 0,
  fileStartMs: 0,
  ...over,
});
