/**
 * Renders one reel (I/O): finds the clip's steadiest moments, writes the caption files and the
 * narration, runs the one ffmpeg command and moves the finished MP4 into place (never a half-written
 * file at `outPath`). Progress comes from ffmpeg's own `-progress` output.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReelSettings } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import type { FfmpegBinaries } from '../media/binaries.js';
import { inputPath } from '../media/ffmpeg-args.js';
import { checkInputFile, probe } from '../media/probe.js';
import { filterSupport, runTool, spawnTool, toolError } from '../media/process-runner.js';
import type { LlmClient } from '../llm/client.js';
import { silentLogger, type Logger } from '../core/log.js';
import { writeNarration } from './narration.js';
import { captionLines, scheduleCaptions, wrapCaption, type Caption, type ReelText } from './reel-captions.js';
import { reelCommandArgs } from './reel-graph.js';
import { planReel, type ReelFormat, type ReelPhoto, type ReelPlan } from './reel-plan.js';
import { motionSamples, steadiestWindows } from './steady.js';

/** The caption typeface: Inter Bold from the @fontsource/inter package (WOFF, read by ffmpeg's FreeType). */
export function captionFontFile(): string {
  try {
    return createRequire(import.meta.url).resolve('@fontsource/inter/files/inter-latin-700-normal.woff');
  } catch (error) {
    throw new LotreelError('MODEL_MISSING', 'the caption font is missing: install the @fontsource/inter package', { cause: error });
  }
}

export interface RenderReelInput {
  format: ReelFormat;
  /** In listing order, the cover first; absolute paths. */
  photos: readonly ReelPhoto[];
  /** The car's clip (plates already blurred), when it has one. */
  clipFile?: string | null;
  text: ReelText;
  /** The dealer's own music. */
  musicFile?: string | null;
  /** Speaks the narration when given (an OpenAI-compatible key is configured). */
  llm?: LlmClient | null;
  /** Where a narration that fell back to the captions is told (silent when absent). */
  log?: Logger;
  outPath: string;
  settings: ReelSettings;
  binaries: FfmpegBinaries;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface RenderedReel {
  format: ReelFormat;
  file: string;
  durationMs: number;
  width: number;
  height: number;
  captions: Caption[];
  narrated: boolean;
  plan: ReelPlan;
  renderMs: number;
}

const MOTION_SIZE = { width: 32, height: 18 };
const MOTION_FPS = 10;

/** Start times of the clip's steadiest cuts, from a tiny grey decode of the whole clip. */
async function steadyCuts(file: string, durationMs: number, settings: ReelSettings, binaries: FfmpegBinaries, signal?: AbortSignal): Promise<number[]> {
  const { width, height } = MOTION_SIZE;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', inputPath(file), '-an', '-vf', `fps=${MOTION_FPS},scale=${width}:${height},format=gray`, '-f', 'rawvideo', 'pipe:1'];
  const grey = await runTool(binaries.ffmpeg, args, { signal, stage: 'decode', file });
  const samples = motionSamples(new Uint8Array(grey), width, height, 1000 / MOTION_FPS);
  return steadiestWindows(samples, durationMs, settings.clipCutMs, settings.maxClipCuts);
}

async function narrationFile(input: RenderReelInput, lines: readonly string[], durationMs: number, dir: string): Promise<string | null> {
  if (!input.llm) return null;
  const { script } = await writeNarration(input.llm, lines, input.text.facts, durationMs, input.log ?? silentLogger, input.signal);
  if (!script) return null;
  const audio = await input.llm.speak(script, { model: input.settings.ttsModel, voice: input.settings.ttsVoice, signal: input.signal });
  const file = join(dir, 'narration.wav');
  await writeFile(file, audio);
  return file;
}

/** Characters per caption line that fit the frame's width at the caption size (Inter Bold averages ~0.6 em). */
const maxCaptionChars = (plan: ReelPlan, share: number) => Math.max(12, Math.floor((plan.width * 0.86) / (plan.width * share * 0.6)));

export async function renderReel(input: RenderReelInput): Promise<RenderedReel> {
  const started = performance.now();
  const { settings, binaries, signal } = input;
  for (const photo of input.photos) await checkInputFile(photo.file);
  if (input.musicFile) await checkInputFile(input.musicFile);
  const fontFile = captionFontFile();
  const clipInfo = input.clipFile ? await probe(input.clipFile, binaries, { signal }) : null;
  const clip = clipInfo && input.clipFile ? { file: input.clipFile, durationMs: clipInfo.durationMs, width: clipInfo.width, height: clipInfo.height } : null;
  const clipCutsMs = clip ? await steadyCuts(clip.file, clip.durationMs, settings, binaries, signal) : [];
  const plan = planReel({ format: input.format, photos: input.photos, clip, clipCutsMs }, settings);

  await mkdir(dirname(input.outPath), { recursive: true });
  const work = await mkdtemp(join(dirname(input.outPath), '.reel-'));
  try {
    const lines = captionLines(input.text);
    const captions = scheduleCaptions(lines, plan);
    const maxChars = maxCaptionChars(plan, settings.captionSizeShare);
    const captionFiles = await Promise.all(
      captions.map(async (caption, k) => {
        const wrapped = wrapCaption(caption.text, maxChars);
        const textFile = join(work, `caption-${k}.txt`);
        await writeFile(textFile, wrapped.join('\n'));
        return { ...caption, textFile, lines: wrapped.length };
      }),
    );
    const narration = await narrationFile(input, lines, plan.durationMs, work);
    const partial = join(work, 'reel.mp4');
    const support = await filterSupport(binaries);
    const args = reelCommandArgs({ plan, captions: captionFiles, fontFile, audio: { narration, music: input.musicFile }, outPath: partial, support, settings });
    const proc = spawnTool(binaries.ffmpeg, args, { signal });
    let pending = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (text: string) => {
      const rows = (pending + text).split('\n');
      pending = rows.pop() ?? '';
      for (const row of rows) {
        const us = /^out_time_us=(\d+)/.exec(row);
        if (us) input.onProgress?.(Math.min(plan.durationMs, Math.round(Number(us[1]) / 1000)), plan.durationMs);
      }
    });
    const error = toolError(binaries.ffmpeg, await proc.done, 'mux', input.outPath, signal);
    if (error) throw error;
    await rename(partial, input.outPath);
    input.onProgress?.(plan.durationMs, plan.durationMs);
    return { format: plan.format, file: input.outPath, durationMs: plan.durationMs, width: plan.width, height: plan.height, captions, narrated: narration !== null, plan, renderMs: Math.round(performance.now() - started) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
