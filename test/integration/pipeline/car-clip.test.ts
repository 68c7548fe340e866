/**
 * Each car's published clip has its plates blurred. A real street photo with a labelled plate
 * (../shared/media/plates) filmed as a slow pan, so the plate moves across the frame; real ffmpeg, YOLOX
 * and OCR. The clip is read back with ffmpeg: at frames between the sampled ones, where the plate is
 * (known from its label and the pan) the picture has lost its fine detail and no plate-like text reads,
 * while away from it the picture is as sharp as the source; without OCR no clip is written at all. The
 * clip's plates-only search finds the plate with the car seen and, the car unseen, in the whole frame.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaries, run } from '../../../fixtures/run.js';
import { DEFAULT_SETTINGS, parseSettings } from '../../../src/config/config.js';
import type { Box } from '../../../src/core/geometry.js';
import { silentLogger } from '../../../src/core/log.js';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import { probe, sampleFrames, type Frame } from '../../../src/media/index.js';
import { writeCarClip, type CarClipContext } from '../../../src/pipeline/car-clip.js';
import { findsPlate } from '../../../src/eval/plate-scoring.js';
import { searchPlates } from '../../../src/text/plate-search.js';
import { looksLikePlateText } from '../../../src/text/plates.js';
import { ocrSettings, readPicture } from '../../../src/text/text-stage.js';
import { locateOcrModels, OcrReader } from '../../../src/vision/ocr.js';
import { YoloxDetector } from '../../../src/vision/yolox.js';
import { scratchDir, sharedFile, yoloxModelDir } from '../../helpers/shared.js';

const root = scratchDir('car-clip');
const video = join(root, 'pan.mp4');
const photo = sharedFile('media/plates/eu-eu1.jpg');
const label = (JSON.parse(readFileSync(sharedFile('media/plates/plates.json'), 'utf8')) as Record<string, { box: number[] }>)['eu-eu1.jpg'].box;
// The 1000x750 photo enlarged to 1600x1200; a 1280x720 window pans right 80 px a second from x=0, y=200.
const ENLARGE = 1.6;
const PAN_PX_PER_S = 80;
const TOP = 200;
const DURATION_S = 4;
/** Where the labelled plate is in the filmed frame at `ms`. */
const plateAt = (ms: number): Box => {
  const dx = (PAN_PX_PER_S * ms) / 1000;
  return { x1: label[0] * ENLARGE - dx, y1: label[1] * ENLARGE - TOP, x2: label[2] * ENLARGE - dx, y2: label[3] * ENLARGE - TOP };
};
// Between the 2 fps samples (0, 500, 1000 ms...), on frame times of the 25 fps video.
const CHECK_MS = [720, 1240, 2200, 3360];

let ocr: OcrReader;
let detector: YoloxDetector;
const ffmpeg = locateFfmpeg();

function context(overrides: Parameters<typeof parseSettings>[0] = {}, withOcr = true): Promise<CarClipContext> {
  return probe(video, ffmpeg).then((info) => ({
    info,
    binaries: ffmpeg,
    settings: parseSettings(overrides),
    readers: { ocr: withOcr ? ocr : null, ocrProblem: withOcr ? null : 'the OCR models are not installed', detector },
    log: silentLogger,
  }));
}

/** The frames of `file` nearest each of `times` (ms), at full size. */
async function framesAt(file: string, times: readonly number[]): Promise<Frame[]> {
  const info = await probe(file, ffmpeg);
  const all: Frame[] = [];
  for await (const batch of sampleFrames(file, info, { mode: { kind: 'rate', fps: 25 }, longSide: 4096, batchSize: 8 }, ffmpeg)) all.push(...batch);
  return times.map((t) => all.reduce((best, f) => (Math.abs(f.timestampMs - t) < Math.abs(best.timestampMs - t) ? f : best)));
}

/** Mean absolute Laplacian of the grey picture inside `box`: fine detail (text edges), near 0 when blurred. */
function detail(frame: Frame, box: Box): number {
  const grey = (x: number, y: number) => {
    const i = (y * frame.width + x) * 3;
    return 0.299 * frame.data[i] + 0.587 * frame.data[i + 1] + 0.114 * frame.data[i + 2];
  };
  let sum = 0;
  let n = 0;
  for (let y = Math.max(1, Math.round(box.y1)); y < Math.min(frame.height - 1, Math.round(box.y2)); y++) {
    for (let x = Math.max(1, Math.round(box.x1)); x < Math.min(frame.width - 1, Math.round(box.x2)); x++) {
      sum += Math.abs(4 * grey(x, y) - grey(x - 1, y) - grey(x + 1, y) - grey(x, y - 1) - grey(x, y + 1));
      n++;
    }
  }
  return sum / n;
}

async function plateLikeTextIn(frame: Frame, box: Box): Promise<string[]> {
  const grown = { x1: box.x1 - 40, y1: box.y1 - 30, x2: box.x2 + 40, y2: box.y2 + 30 };
  const lines = await readPicture(ocr, frame, grown);
  return lines.map((l) => l.text).filter(looksLikePlateText);
}

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  await run(binaries().ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', '25', '-i', photo, '-t', String(DURATION_S),
    '-vf', `scale=${1000 * ENLARGE}:${750 * ENLARGE},crop=1280:720:'${PAN_PX_PER_S}*t':${TOP}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-g', '25', '-pix_fmt', 'yuv420p', '-an', '-y', video,
  ]);
  ocr = await OcrReader.create({ files: (await locateOcrModels())!, device: 'cpu', settings: ocrSettings(DEFAULT_SETTINGS.ocr) });
  detector = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'cpu', batchSize: 1 });
}, 120_000);
afterAll(async () => {
  await ocr?.dispose();
  await detector?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('the per-car clip', () => {
  it('is re-encoded as H.264 with the plate blurred where it moves, between the sampled frames too, and sharp elsewhere', async () => {
    const out = join(root, 'clip.mp4');
    const clip = await writeCarClip([{ startMs: 0, endMs: DURATION_S * 1000 }], out, await context());
    expect(clip).toMatchObject({ written: true, plateProblem: null });
    expect(clip.samples).toBeGreaterThanOrEqual(7);
    const info = await probe(out, ffmpeg);
    expect({ codec: info.codec, width: info.width, height: info.height }).toEqual({ codec: 'h264', width: 1280, height: 720 });
    expect(info.durationMs).toBeGreaterThan(DURATION_S * 1000 - 200);

    const [before, after] = await Promise.all([framesAt(video, CHECK_MS), framesAt(out, CHECK_MS)]);
    for (const [k, ms] of CHECK_MS.entries()) {
      const plate = plateAt(before[k].timestampMs);
      // Away from the plate: the car's roof and the street above it, as sharp as the source.
      const elsewhere = { x1: plate.x1 - 250, y1: 20, x2: plate.x2 + 100, y2: plate.y1 - 120 };
      const kept = detail(after[k], elsewhere) / detail(before[k], elsewhere);
      const left = detail(after[k], plate) / detail(before[k], plate);
      expect({ ms, plateDetailLeft: left < 0.3, detailKeptElsewhere: kept > 0.6 }, `plate ${left.toFixed(2)}, elsewhere ${kept.toFixed(2)}`).toEqual({
        ms,
        plateDetailLeft: true,
        detailKeptElsewhere: true,
      });
      expect(await plateLikeTextIn(after[k], plate), `no plate-like text at ${ms} ms`).toEqual([]);
    }
    // The source's plate reads (the check above means something).
    expect((await plateLikeTextIn(before[1], plateAt(before[1].timestampMs))).length).toBeGreaterThan(0);
  }, 300_000);

  it("finds a sampled frame's plate where the vehicle detector sees the car, and in the whole frame where it sees none", async () => {
    const [frame] = await framesAt(video, [1240]);
    const plate = plateAt(frame.timestampMs);
    const settings = DEFAULT_SETTINGS.plates;
    const onCars = await searchPlates(frame, { ocr, detector }, { settings });
    expect(onCars.vehicles.length).toBeGreaterThan(0);
    expect(onCars.plates.some((p) => findsPlate(p.box, plate))).toBe(true);
    const noCars = await searchPlates(frame, { ocr, detector: null }, { settings });
    expect(noCars.vehicles).toEqual([]);
    expect(noCars.plates.some((p) => findsPlate(p.box, plate))).toBe(true);
  }, 120_000);

  it('is not written at all when the plates cannot be looked for, and says why', async () => {
    const out = join(root, 'held.mp4');
    const clip = await writeCarClip([{ startMs: 0, endMs: 2000 }], out, await context({}, false));
    expect(clip).toMatchObject({ written: false, plateProblem: expect.stringMatching(/clip is not published: the OCR models are not installed/) });
    expect(existsSync(out)).toBe(false);
  });

  it('is cut from the original without re-encoding with plate blurring off (--no-blur-plates)', async () => {
    const out = join(root, 'plain.mp4');
    const clip = await writeCarClip([{ startMs: 0, endMs: 2000 }], out, await context({ plates: { blur: false } }, false));
    expect(clip).toMatchObject({ written: true, plateProblem: null, samples: 0 });
    const info = await probe(out, ffmpeg);
    expect({ width: info.width, height: info.height }).toEqual({ width: 1280, height: 720 });
    const [frame] = await framesAt(out, [1240]);
    const [source] = await framesAt(video, [1240]);
    expect(detail(frame, plateAt(source.timestampMs)) / detail(source, plateAt(source.timestampMs))).toBeGreaterThan(0.9);
  }, 120_000);
});
