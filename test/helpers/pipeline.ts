/** Runs the real pipeline (real ffmpeg, real YOLOX, real database) the way the CLI does. */
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, parseSettings, type Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/core/log.js';
import { processIntoFolder, type ProcessRequest } from '../../src/cli/process-command.js';
import type { ClipStage } from '../../src/pipeline/clip-stage.js';
import { ModelPool } from '../../src/pipeline/model-pool.js';
import type { ProcessResult } from '../../src/pipeline/result.js';
import type { Database } from '../../src/store/index.js';
import { yoloxModelDir } from './shared.js';

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ LOTREEL_DATA_DIR: dataDir, LOTREEL_MODELS_DIR: yoloxModelDir(), PATH: process.env.PATH }), ...overrides };
}

/**
 * `lotreel process` in this process: a model pool of its own (opened with these settings, closed at
 * the end), or `clip` as its CLIP stage (null: CLIP off).
 */
export async function processVideo(request: Omit<ProcessRequest, 'models'> & { clip?: ClipStage | null }): Promise<ProcessResult> {
  const { clip, ...rest } = request;
  const models = new ModelPool({ modelsDir: request.config.modelsDir, dataDir: request.config.dataDir, device: request.device, settings: request.settings, ocrModelsDir: request.config.ocrModelsDir, log: request.log, clip });
  try {
    return await processIntoFolder({ ...rest, models });
  } finally {
    await models.close();
  }
}

export function runPipeline(file: string, outDir: string, config: Config, database?: Database, maxPhotos?: number): Promise<ProcessResult> {
  return processVideo({
    file,
    outDir,
    device: 'cpu',
    settings: parseSettings({ photos: { maxPhotos } }),
    config,
    log: silentLogger,
    database,
  });
}

/** Where the database stores a result file (`car-1/01.jpg` as the CLI prints it): in the run folder `car-N` shows. */
export function storedPath(outDir: string, file: string): string {
  return `.lotreel/${readlinkSync(join(outDir, '.lotreel', 'current'))}/${file}`;
}
