/** Public API of vision/: model manifest and files, sessions, the YOLOX detector and its pure parts. */
export type { Detection, Provider } from './types.js';
export {
  defaultManifestPath,
  getModelSpec,
  loadModelManifest,
  matchingChecksum,
  modelManifestSchema,
  parseModelManifest,
  type ModelChecksum,
  type ModelManifest,
  type ModelSpec,
} from './manifest.js';
export {
  cachedSha256,
  listModels,
  missingModelMessage,
  pullModels,
  resolveModelFile,
  sha256OfFile,
  type ModelFile,
  type PullOptions,
  type PullResult,
  type ModelListing,
  type PullAction,
} from './model-files.js';
export {
  CUDA_INSTALL_HINT,
  WEBGPU_HINT,
  createSession,
  cudaProviderStatus,
  webgpuProviderStatus,
  type CreateSessionOptions,
  type CudaStatus,
  type DeviceReport,
  type InferenceSession,
  type ManagedSession,
  type ProviderAttempt,
  type ProviderStatus,
} from './session.js';
export { YOLOX_MODEL_ID, YoloxDetector, type YoloxDetectorOptions, type YoloxStats } from './yolox.js';
export { fillLetterboxedInput, inputSliceLength, letterboxGeometry, type LetterboxGeometry, type PreprocessOptions, type RgbImage } from './yolox.preprocess.js';
export {
  anchorCount,
  boxToFrame,
  decodeYoloxOutput,
  l2Normalise,
  nonMaxSuppression,
  roiEmbedding,
  type FeatureMap,
  type RawDetection,
  type YoloxDecodeOptions,
} from './yolox.postprocess.js';
export { rewriteToDynamicBatch, summariseOnnxGraph, type DynamicBatchResult, type OnnxGraphSummary } from './onnx-graph.js';
export { findYoloxHeadInputs, type YoloxGraphInfo } from './yolox.graph.js';
export { ClipEncoder, DEFAULT_CLIP_FAMILY, missingClipFiles, type ClipEncoderOptions, type ClipImage, type ClipStats } from './clip.js';
export { CLIP_MEAN, CLIP_PREPROCESS, CLIP_STD, clipResizedSize, cropRegion, fillClipInput, type ClipPreprocessOptions } from './clip.preprocess.js';
export { CLIP_CONTEXT_LENGTH, ClipTokenizer, cleanClipText, type TokenBatch } from './clip.tokenizer.js';
export { cachedTextEmbeddings, textCacheFile } from './clip-text-cache.js';
export { clipFamilies, getClipFamily, CLIP_FILE_TASKS, type AnyModelSpec, type ClipFileSpec, type ClipFileTask, type ModelFileSpec } from './manifest.js';
