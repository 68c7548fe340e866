/**
 * YOLOX-Nano throughput per batch size on the production detector (real frames at the analysis size).
 *
 *   npx tsx benchmarks/yolox-throughput.ts [--device auto|cpu|cuda|webgpu] [--threads N] [--batches 1,4,8,16] [--frames 64]
 *
 * Also a stage of benchmarks/stages.ts (`npm run bench`). Needs ../shared (model and media).
 */
import { availableParallelism, cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { sharedFile } from '../fixtures/paths.js';
import type { Device } from '../src/config/config.js';
import type { Frame } from '../src/media/types.js';
import { YoloxDetector } from '../src/vision/index.js';
import { frameKernels } from '../src/vision/kernels.js';
import { decodeFrames, formatStageTable, type StageBench, type StageBenchOptions, type StageRow } from './stage-table.js';

export const yoloxStage: StageBench = {
  stage: 'yolox',
  async run(frames: readonly Frame[], options: StageBenchOptions): Promise<StageRow[]> {
    const rows: StageRow[] = [];
    const modelsDir = sharedFile('models/yolox_nano');
    for (const batchSize of options.batchSizes) {
      const detector = await YoloxDetector.create({ modelsDir, device: options.device, batchSize, intraOpThreads: options.threads });
      try {
        await detector.detect(frames.slice(0, batchSize)); // one full batch to warm this shape up
        Object.assign(detector.stats, { frames: 0, runs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 });
        const started = performance.now();
        await detector.detect(frames);
        const ms = performance.now() - started;
        const s = detector.stats;
        rows.push({
          stage: 'yolox',
          batchSize: detector.batchSize,
          device: detector.provider,
          frames: frames.length,
          framesPerSecond: (frames.length * 1000) / ms,
          split: { preprocess: s.preprocessMs / s.frames, inference: s.inferenceMs / s.frames, postprocess: s.postprocessMs / s.frames },
          note: `${frameKernels().name} letterbox`,
        });
      } finally {
        await detector.dispose();
      }
    }
    return rows;
  },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const options: StageBenchOptions = {
    device: arg('device', 'auto') as Device,
    threads: Number(arg('threads', '0')) || undefined,
    batchSizes: arg('batches', '1,4,8,16').split(',').map(Number),
  };
  const frames = decodeFrames(sharedFile('media/videos/davis-car-turn-720p.mp4'), 640, 360, Number(arg('frames', '64')));
  console.log(`${frames.length} frames 640x360, device ${options.device}, intra-op threads ${options.threads ?? 'default'}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(formatStageTable(await yoloxStage.run(frames, options)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
