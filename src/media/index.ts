/** Public API of media/: probing, frame sampling, stills and clips. */
export { locateFfmpeg, type FfmpegBinaries } from './binaries.js';
export { chooseSampleMode, scaledSize, type ClipSegment } from './ffmpeg-args.js';
export { probe } from './probe.js';
export { sampleFrames } from './sampler.js';
export { cutClip, extractKeyframeStills, extractStill, extractStills, type StillOptions, type StillRequest, type WrittenStill } from './extract.js';
export type { Frame, SampleMode, SampleOptions, VideoInfo } from './types.js';
