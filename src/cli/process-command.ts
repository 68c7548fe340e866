/**
 * `lotreel process` (the shell around the analysis core): checks the model files, opens the database
 * while the video is analysed into a staging folder, then in this order: publishes the run folder,
 * commits the rows pointing at it (one transaction), shows it as `<out>/car-N`, removes run folders no
 * row points at. The staging folder is removed on every path. See output-folder.ts for the window.
 */
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AnalysisSettings, Config, Device } from '../config/config.js';
import { checkpoint } from '../core/checkpoint.js';
import { asLotreelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { safeProgress, type ProgressListener } from '../core/progress.js';
import { analyseVideo } from '../pipeline/analyse-video.js';
import { carFolder } from '../pipeline/photo-stage.js';
import { ModelPool } from '../pipeline/model-pool.js';
import { toProcessResult, type FinishedCar, type ProcessResult } from '../pipeline/result.js';
import { analysisRows, openDatabase, runFoldersInUse, saveVideoResult, type Database } from '../store/index.js';
import { draftMarkdown } from './draft-markdown.js';
import { newRunFolder, publishRun, removeUnusedRuns, showRun } from './output-folder.js';

export interface ProcessRequest {
  file: string;
  outDir: string;
  device: Device;
  settings: AnalysisSettings;
  config: Config;
  log: Logger;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** An open database to use; otherwise one is opened from config and closed at the end. */
  database?: Database;
  /** Open models to use (several videos in one process); otherwise a pool is opened and closed here. */
  models?: ModelPool;
  /**
   * A car finished before the whole video is (numbered as finished so far; the final pass may still
   * renumber it or merge a revisit into it). Shown only: the run is published whole at the end.
   */
  onCarDone?: (car: FinishedCar) => void;
}

export async function processIntoFolder(request: ProcessRequest): Promise<ProcessResult> {
  const { config, log } = request;
  const models = request.models ?? new ModelPool({ modelsDir: config.modelsDir, dataDir: config.dataDir, device: request.device, settings: request.settings, ocrModelsDir: config.ocrModelsDir, log });
  // A missing or damaged model is reported before anything else is opened.
  try {
    await models.checkRequiredFiles();
  } catch (error) {
    if (!request.models) await models.close();
    throw asLotreelError(error);
  }
  // The database opens while the video is analysed (PGlite takes a while); if it fails, the analysis
  // stops at once with the database's error.
  const databaseFailed = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, databaseFailed.signal]) : databaseFailed.signal;
  const databaseOpening = request.database ? Promise.resolve(request.database) : openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }, { logger: log });
  const databaseError = databaseOpening.then(
    () => null,
    (error: unknown) => {
      databaseFailed.abort();
      return error;
    },
  );
  const progress = safeProgress(request.onProgress);
  const run = newRunFolder(request.outDir);
  let published = false;
  let committed = false;
  try {
    const onCarDone = request.onCarDone;
    const onCarFinished = onCarDone && { draft: async (car: FinishedCar) => onCarDone(car) };
    const analysis = await analyseVideo({ file: request.file, stagingDir: run.stagingDir, models, settings: request.settings, config, log, onProgress: progress, signal, onCarFinished });
    const database = await databaseOpening;
    // Last moment to stop: after this the result is published and committed.
    signal.throwIfAborted();
    checkpoint('analysed');
    // Part of the run folder, so published and shown with its photos (never a draft of another run).
    for (const car of analysis.cars) {
      const folder = join(run.stagingDir, carFolder(car.ordinal));
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'draft.md'), draftMarkdown(car));
    }
    await publishRun(run);
    published = true;
    checkpoint('published');
    const storeStarted = performance.now();
    const saved = await saveVideoResult(database, analysisRows(analysis, { filePrefix: run.filePrefix }));
    committed = true;
    checkpoint('committed');
    const timingsMs = { ...analysis.timingsMs, store: Math.round(performance.now() - storeStarted) };
    timingsMs.total += timingsMs.store;
    progress({ stage: 'store', done: 1, total: 1 });
    await showRun(request.outDir, run, analysis.cars.length);
    await removeUnusedRuns(request.outDir, await runFoldersInUse(database), run.name);
    checkpoint('collected');
    log.info('done', { cars: analysis.cars.length, run: run.name, warm: analysis.warm });
    return toProcessResult(analysis, saved, { outDir: request.outDir, timingsMs });
  } catch (error) {
    // When the database failed, the analysis was stopped for it: report the database's error.
    const cause = databaseFailed.signal.aborted ? await databaseError : null;
    throw asLotreelError(cause ?? error);
  } finally {
    await rm(run.stagingDir, { recursive: true, force: true });
    // Published but never committed: no row points at it.
    if (published && !committed) await rm(run.dir, { recursive: true, force: true });
    // A first run that failed leaves the output folder as it found it.
    if (!committed) await rmdir(dirname(run.dir)).catch(() => undefined);
    if (!request.models) await models.close();
    if (!request.database) await databaseOpening.then((db) => db.close(), () => undefined);
  }
}
