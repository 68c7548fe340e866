/** Stable error codes: the CLI maps them to exit status, the service (later) to HTTP answers. */
export const ERROR_CODES = {
  INPUT_MISSING: 'the input file does not exist',
  INPUT_EMPTY: 'the input file is empty',
  INPUT_NOT_VIDEO: 'the input is not a video',
  INPUT_CORRUPT: 'the video cannot be decoded',
  INVALID_ARGUMENT: 'a command-line argument is invalid',
  INVALID_CONFIG: 'a configuration value is invalid',
  FFMPEG_MISSING: 'ffmpeg or ffprobe cannot be found',
  FFMPEG_FAILED: 'ffmpeg failed',
  MODEL_MISSING: 'a model file is missing',
  MODEL_CHECKSUM: 'a model file does not match its checksum',
  MODEL_DOWNLOAD: 'a model download failed',
  DEVICE_UNAVAILABLE: 'the requested execution provider cannot be used',
  CARS_IN_DIFFERENT_VIDEOS: 'two cars of different videos cannot be merged',
  MERGE_SAME_CAR: 'a car cannot be merged with itself',
  SPLIT_OUTSIDE_CAR: 'a car can only be split at a moment inside its footage, with footage on both sides',
  DATABASE_FAILED: 'the database failed',
  STORAGE_FAILED: 'the object store of originals and photos failed',
  LLM_FAILED: 'the LLM request failed (never fatal: the template writes the text)',
  ABORTED: 'the operation was aborted',
  INTERNAL: 'internal error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Errors caused by the user's input or environment, as opposed to bugs. */
const USER_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INPUT_MISSING',
  'INPUT_EMPTY',
  'INPUT_NOT_VIDEO',
  'INPUT_CORRUPT',
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'CARS_IN_DIFFERENT_VIDEOS',
  'MERGE_SAME_CAR',
  'SPLIT_OUTSIDE_CAR',
]);

export class LotreelError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LotreelError';
    this.code = code;
    this.details = options.details;
  }

  get isUserError(): boolean {
    return USER_ERRORS.has(this.code);
  }
}

export function isLotreelError(error: unknown, code?: ErrorCode): error is LotreelError {
  return error instanceof LotreelError && (code === undefined || error.code === code);
}

/** Wraps anything thrown into a LotreelError, keeping the original as `cause`. */
export function asLotreelError(error: unknown, fallback: ErrorCode = 'INTERNAL'): LotreelError {
  if (error instanceof LotreelError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new LotreelError('ABORTED', 'aborted', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new LotreelError(fallback, message.split('\n')[0] ?? message, { cause: error });
}
