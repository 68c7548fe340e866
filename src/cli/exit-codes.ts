import type { ErrorCode } from '../core/errors.js';

/** Exit status per error code: 2 for the user's input, 3 for the environment, 4 for the database. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INPUT_MISSING':
    case 'INPUT_EMPTY':
    case 'INPUT_NOT_VIDEO':
    case 'INPUT_CORRUPT':
    case 'INVALID_ARGUMENT':
    case 'INVALID_CONFIG':
    case 'CARS_IN_DIFFERENT_VIDEOS':
    case 'MERGE_SAME_CAR':
    case 'SPLIT_OUTSIDE_CAR':
      return 2;
    case 'FFMPEG_MISSING':
    case 'MODEL_MISSING':
    case 'MODEL_CHECKSUM':
    case 'MODEL_DOWNLOAD':
    case 'DEVICE_UNAVAILABLE':
    case 'STORAGE_FAILED':
      return 3;
    case 'DATABASE_FAILED':
      return 4;
    case 'ABORTED':
      return 130;
    default:
      return 1;
  }
}
