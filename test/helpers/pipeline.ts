/** Runs the real pipeline (real ffmpeg, real YOLOX, real database) the way the CLI does. */
import { loadConfig, parseSettings, type Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/core/log.js';
import { processVideo, type ProcessResult } from '../../src/pipeline/run.js';
import type { Database } from '../../src/store/index.js';
import { yoloxModelDir } from './shared.js';

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ LOTREEL_DATA_DIR: dataDir, LOTREEL_MODELS_DIR: yoloxModelDir(), PATH: process.env.PATH }), ...overrides };
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
