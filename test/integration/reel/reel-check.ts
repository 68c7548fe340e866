/**
 * Reading a rendered reel back with the real tools: ffprobe's view of the file, single frames as RGB,
 * the MP4's top-level boxes, and how alike a frame is to a picture (small grey thumbnails).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from '../../../src/vision/yolox.preprocess.js';
import { binaries } from '../../../fixtures/run.js';

export interface ProbedReel {
  formatName: string;
  durationSec: number;
  video: { codec: string; width: number; height: number; fps: string; pixFmt: string; profile: string };
  audio: { codec: string; sampleRate: number; channels: number } | null;
}

export function probeReel(file: string): ProbedReel {
  const out = JSON.parse(execFileSync(binaries().ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { encoding: 'utf8' }));
  const v = out.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
  const a = out.streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
  return {
    formatName: out.format.format_name,
    durationSec: Number(out.format.duration),
    video: { codec: v.codec_name, width: v.width, height: v.height, fps: v.avg_frame_rate, pixFmt: v.pix_fmt, profile: v.profile },
    audio: a ? { codec: a.codec_name, sampleRate: Number(a.sample_rate), channels: a.channels } : null,
  };
}

/** The MP4's top-level box types in file order ("moov" before "mdat" is faststart). */
export function topLevelBoxes(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const boxes: string[] = [];
    const head = Buffer.alloc(16);
    for (let at = 0; at + 8 <= size; ) {
      readSync(fd, head, 0, 16, at);
      let length = head.readUInt32BE(0);
      if (length === 1) length = Number(head.readBigUInt64BE(8));
      boxes.push(head.toString('latin1', 4, 8));
      if (length < 8) break;
      at += length;
    }
    return boxes;
  } finally {
    closeSync(fd);
  }
}

export function frameAt(file: string, ms: number): RgbImage {
  const data = execFileSync(binaries().ffmpeg, ['-v', 'error', '-ss', (ms / 1000).toFixed(3), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 64 << 20 });
  const { width, height } = probeReel(file).video;
  return { width, height, data: new Uint8Array(data) };
}

/** Mean volume of the audio track in dB (ffmpeg's volumedetect). */
export function meanVolumeDb(file: string): number {
  const log = spawnSync(binaries().ffmpeg, ['-hide_banner', '-nostats', '-v', 'info', '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
  const found = /mean_volume: (-?[\d.]+)/.exec(log)?.[1];
  return found === undefined ? Number.NEGATIVE_INFINITY : Number(found);
}

const THUMB = 24;

/** A grey thumbnail of the picture (or of one region of it), values 0..1. */
export async function thumbnail(input: Sharp): Promise<Float32Array> {
  const data = await input.greyscale().resize(THUMB, THUMB, { fit: 'fill' }).raw().toBuffer();
  return Float32Array.from(data, (v: number) => v / 255);
}

export const rgbSharp = (image: RgbImage) => sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } });

export function thumbDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
