/**
 * Per-stage throughput (frames/s) of the vision models at several batch sizes on the available
 * device, as one table. Part of `npm run bench`; each stage is a `StageBench` in its own file.
 *
 *   npx tsx benchmarks/stages.ts [--device auto|cpu|cuda|webgpu] [--batches 1,4,8,16] [--frames 64] [--threads N]
 *
 * LOTREEL_DEVICE sets the default device (as for `lotreel process`). Frames: the first 64 of the DAVIS
 * clip in ../shared at the analysis size (640x360).
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { sharedFile } from '../fixtures/paths.js';
import { DEFAULT_SETTINGS, loadConfig, type Device } from '../src/config/config.js';
import { nativeKernelStatus } from '../src/vision/kernels.js';
import { decodeFrames, formatStageTable, type StageBench, type StageRow } from './stage-table.js';
import { yoloxStage } from './yolox-throughput.js';

/** The stages measured, in pipeline order (CLIP adds its own here). */
export const STAGES: StageBench[] = [yoloxStage];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const device = (arg('device') ?? loadConfig().device) as Device;
  const batchSizes = (arg('batches') ?? '1,4,8,16').split(',').map(Number);
  const threads = Number(arg('threads') ?? DEFAULT_SETTINGS.detection.threads);
  const frames = decodeFrames(sharedFile('media/videos/davis-car-turn-720p.mp4'), 640, 360, Number(arg('frames') ?? '64'));
  console.log(
    `per-stage throughput: ${frames.length} frames 640x360, --device ${device}, ${threads} intra-op threads, ` +
      `${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
      `frame kernels: ${nativeKernelStatus().available ? 'native' : `javascript (${nativeKernelStatus().reason})`}`,
  );
  const rows: StageRow[] = [];
  for (const stage of STAGES) rows.push(...(await stage.run(frames, { device, batchSizes, threads })));
  console.log(formatStageTable(rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
