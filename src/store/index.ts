/** The store: database adapter (PGlite | pg), migrations and repositories. */
export {
  openDatabase,
  embeddedDatabasePaths,
  redactDatabaseUrl,
  toDatabaseError,
  type Database,
  type DatabaseKind,
  type Queryable,
  type JobQueueConnection,
  type OpenDatabaseConfig,
  type OpenDatabaseOptions,
} from './database.js';
export {
  MIGRATIONS,
  SCHEMA_VERSION,
  runMigrations,
  schemaVersion,
  type Migration,
  type MigrationOutcome,
} from './migrations.js';
export {
  saveVideoResult,
  loadVideoResult,
  findVideoByFingerprint,
  deleteVideo,
  countRows,
  runFoldersInUse,
  type VideoResultInput,
  type VideoInput,
  type CarInput,
  type SegmentInput,
  type PhotoInput,
  type DraftInput,
  type SavedVideoResult,
  type LoadedVideoResult,
  type StoredVideo,
  type StoredCar,
  type StoredSegment,
  type StoredPhoto,
  type StoredDraft,
  type RowCounts,
} from './results.repository.js';
export { VIDEO_STATUSES, isVideoFinished, type VideoStatus } from './video-status.js';
export type { DraftStatus } from '../listing/draft-status.js';
export { analysisRows, carRows, type RowsWhere } from './analysis-rows.js';
export { carStatesOfVideo, saveCarDraft, saveFinalCars, setCarClip } from './streamed-cars.repository.js';
export { newRunName, runFoldersToRemove, runStartedMs } from './run-folders.js';
