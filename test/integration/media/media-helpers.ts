/** Shared bits for the media integration tests: the real binaries, derived videos, pixel comparison. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import type { Frame } from '../../../src/media/types.js';

export const bins = locateFfmpeg({ ffmpegPath: process.env.LOTREEL_FFMPEG, ffprobePath: process.env.LOTREEL_FFPROBE });

/** Runs the test's ffmpeg (quiet, overwrite) to make a derived input. */
export function ffmpeg(...args: string[]): void {
  execFileSync(bins.ffmpeg, ['-hide_banner', '-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function ffprobeJson<T>(...args: string[]): T {
  return JSON.parse(execFileSync(bins.ffprobe, ['-v', 'error', '-print_format', 'json', ...args], { maxBuffer: 64 << 20 }).toString('utf8')) as T;
}

/** Decodes frames to rgb24 with the CLI (an independent reference for our own decoder). */
export function decodeRgb(file: string, filters: string, frames: number, inputArgs: string[] = []): Buffer {
  return execFileSync(
    bins.ffmpeg,
    ['-hide_banner', '-v', 'error', '-nostdin', ...inputArgs, '-i', file, '-vf', filters, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { maxBuffer: 256 << 20 },
  );
}

/** Mean absolute difference per byte of two equally long pixel buffers. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** Mean per channel of an RGB buffer. */
export function channelMeans(data: Uint8Array): [number, number, number] {
  const sums = [0, 0, 0];
  for (let i = 0; i < data.length; i++) sums[i % 3] += data[i];
  const n = data.length / 3;
  return [sums[0] / n, sums[1] / n, sums[2] / n];
}

export async function collect(batches: AsyncIterable<Frame[]>): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const batch of batches) frames.push(...batch);
  return frames;
}

/** Running processes whose command line mentions `needle` (Linux /proc; zombies have an empty one). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // it ended while we looked
    }
  }
  return pids;
}

/** True while the pid exists at all, zombie included. */
export const pidExists = (pid: number) => existsSync(`/proc/${pid}`);
