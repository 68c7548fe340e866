/**
 * Per-stage throughput: one row per (stage, batch size) and the table `npm run bench` prints. Each
 * stage lives in its own file and exports a `StageBench`; benchmarks/stages.ts runs the list.
 */
import { spawnSync } from 'node:child_process';
import type { Device } from '../src/config/config.js';
import type { Frame } from '../src/media/types.js';
import { binaries } from '../fixtures/run.js';

export interface StageRow {
  stage: string;
  batchSize: number;
  /** Provider that ran it (cpu, cuda, webgpu). */
  device: string;
  frames: number;
  framesPerSecond: number;
  /** Milliseconds per frame by sub-step (preprocess, inference, postprocess, ...). */
  split: Record<string, number>;
  note?: string;
}

export interface StageBenchOptions {
  device: Device;
  batchSizes: readonly number[];
  /** onnxruntime intra-op threads on the CPU (undefined: onnxruntime's choice). */
  threads?: number;
}

export interface StageBench {
  stage: string;
  run(frames: readonly Frame[], options: StageBenchOptions): Promise<StageRow[]>;
}

/** The first `limit` frames of a video as RGB24 at `width` x `height` (the analysis size by default). */
export function decodeFrames(file: string, width: number, height: number, limit: number): Frame[] {
  const args = ['-v', 'error', '-i', file, '-vf', `scale=${width}:${height}`, '-frames:v', String(limit), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  const out = spawnSync(binaries().ffmpeg, args, { maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error(`ffmpeg failed: ${out.stderr.toString()}`);
  const size = width * height * 3;
  return Array.from({ length: Math.floor(out.stdout.length / size) }, (_, i) => ({
    timestampMs: Math.round((i * 1000) / 30),
    width,
    height,
    data: new Uint8Array(out.stdout.buffer, out.stdout.byteOffset + i * size, size),
  }));
}

/** A fixed-width text table: stage, device, batch, frames/s, ms/frame and each sub-step's ms/frame. */
export function formatStageTable(rows: readonly StageRow[]): string {
  const steps = [...new Set(rows.flatMap((r) => Object.keys(r.split)))];
  const header = ['stage', 'device', 'batch', 'frames/s', 'ms/frame', ...steps.map((s) => `${s} ms`), 'note'];
  const body = rows.map((r) => [
    r.stage,
    r.device,
    String(r.batchSize),
    r.framesPerSecond.toFixed(1),
    (1000 / r.framesPerSecond).toFixed(2),
    ...steps.map((s) => (r.split[s] === undefined ? '' : r.split[s].toFixed(2))),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
