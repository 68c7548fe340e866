/**
 * Reel render time per second of reel (src/reel/render-reel.ts), per format, from photos only and with
 * the car's clip.
 *
 *   npx tsx benchmarks/reel.ts [--runs 1] [--formats vertical,horizontal,square] [--encoder libx264|h264_nvenc]
 *
 * Photos: the 8 studio views of ../shared/media/images/evox-camaro-spin (1024x512); clip: EPFL car02.
 * Beside each reel, a plain x264 encode of a test pattern of the same size and length (same preset and
 * CRF): a load-independent yardstick, since the machine is shared. Prints the load average.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_SETTINGS } from '../src/config/config.js';
import { locateFfmpeg } from '../src/media/binaries.js';
import { renderReel } from '../src/reel/render-reel.js';
import { parseReelFormats, REEL_SIZE, type ReelFormat } from '../src/reel/reel-plan.js';
import { sharedFile } from '../fixtures/paths.js';
import type { ListingFacts } from '../src/listing/listing-facts.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const runs = Number(arg('runs', '1'));
const formats = parseReelFormats(arg('formats', 'vertical,horizontal,square'));
const settings = { ...DEFAULT_SETTINGS.reel, encoder: arg('encoder', DEFAULT_SETTINGS.reel.encoder) as 'libx264' | 'h264_nvenc' };
const binaries = locateFfmpeg();
const dir = mkdtempSync(join(tmpdir(), 'lotreel-bench-reel-'));
const spin = sharedFile('media/images/evox-camaro-spin');
const facts: ListingFacts = {
  make: 'Chevrolet', model: 'Camaro', year: 2019, trim: null, bodyType: null, colour: null, mileage: '12000 mi',
  engine: null, fuel: null, drive: null, transmission: null, interiorColour: null, features: ['Heated seats'], photoCount: 8, videoSeconds: 12, viewsSeen: [], sources: {},
};

function plainEncodeMs(format: ReelFormat, durationMs: number): number {
  const { width, height } = REEL_SIZE[format];
  const started = performance.now();
  execFileSync(binaries.ffmpeg, [
    '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=30:d=${durationMs / 1000}`,
    '-c:v', 'libx264', '-preset', settings.preset, '-crf', String(settings.crf), '-pix_fmt', 'yuv420p', '-y', join(dir, 'plain.mp4'),
  ]);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const photos = await Promise.all(
    readdirSync(spin).filter((f) => f.endsWith('.jpg')).sort().map(async (f) => {
      const meta = await sharp(join(spin, f)).metadata();
      // The studio shots: the car spans most of the width, centred.
      return { file: join(spin, f), width: meta.width!, height: meta.height!, carBox: { x1: meta.width! * 0.08, y1: meta.height! * 0.3, x2: meta.width! * 0.92, y2: meta.height! * 0.8 } };
    }),
  );
  console.log(`reel render, ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start, ${settings.encoder} ${settings.preset} crf ${settings.crf}`);
  console.log('format      source        reel s  render s  s per reel s  plain x264 s  reel/plain');
  for (const format of formats) {
    for (const withClip of [false, true]) {
      for (let r = 0; r < runs; r++) {
        const reel = await renderReel({
          format, photos, clipFile: withClip ? sharedFile('media/epfl-gims08/car02.mp4') : null, text: { title: 'Camaro', facts },
          outPath: join(dir, `${format}.mp4`), settings, binaries,
        });
        const plain = plainEncodeMs(format, reel.durationMs);
        const perSecond = reel.renderMs / reel.durationMs;
        console.log(
          `${format.padEnd(11)} ${(withClip ? 'photos+clip' : 'photos').padEnd(12)} ${(reel.durationMs / 1000).toFixed(1).padStart(7)} ${(reel.renderMs / 1000).toFixed(1).padStart(9)} ${perSecond.toFixed(2).padStart(13)} ${(plain / 1000).toFixed(1).padStart(13)} ${(reel.renderMs / plain).toFixed(2).padStart(11)}`,
        );
      }
    }
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at end`);
  rmSync(dir, { recursive: true, force: true });
}

await main();
