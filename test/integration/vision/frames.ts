/** Test helpers: every frame of a video as RGB24 through the project's ffmpeg, and EPFL GIMS08 ground truth. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Box } from '../../../src/core/geometry.js';
import type { Frame } from '../../../src/media/types.js';
import { epflCar, epflTruth } from '../../helpers/shared.js';
import { binaries } from '../../../fixtures/run.js';

export const FFMPEG = binaries().ffmpeg;

export async function decodeAllFrames(file: string, width: number, height: number, fps: number): Promise<Frame[]> {
  const child = spawn(FFMPEG, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`ffmpeg failed on ${file} (${code}): ${stderr}`);
  const all = Buffer.concat(chunks);
  const size = width * height * 3;
  if (all.length % size !== 0) throw new Error(`ffmpeg gave ${all.length} bytes, not a multiple of ${size}`);
  return Array.from({ length: all.length / size }, (_, i) => ({
    timestampMs: Math.round((i * 1000) / fps),
    width,
    height,
    data: new Uint8Array(all.buffer, all.byteOffset + i * size, size),
  }));
}

export interface EpflTruth {
  width: number;
  height: number;
  fps: number;
  frames: Array<{ index: number; bbox: [number, number, number, number]; viewpointDeg: number }>;
}

export function loadEpfl(n: number): { file: string; truth: EpflTruth; boxOf: (index: number) => Box | undefined } {
  const truth = JSON.parse(readFileSync(epflTruth(n), 'utf8')) as EpflTruth;
  const byIndex = new Map(truth.frames.map((f) => [f.index, f.bbox]));
  return {
    file: epflCar(n),
    truth,
    boxOf: (index) => {
      const b = byIndex.get(index);
      return b ? { x1: b[0], y1: b[1], x2: b[2], y2: b[3] } : undefined;
    },
  };
}
