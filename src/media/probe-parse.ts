/** ffprobe JSON -> VideoInfo (pure). Rejects what is not a usable video with a clear LotreelError. */
import { basename } from 'node:path';
import { LotreelError } from '../core/errors.js';
import type { VideoInfo } from './types.js';

/** The parts of `ffprobe -show_streams -show_format -print_format json` this module reads. */
export interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  start_time?: string;
  duration?: string;
  nb_frames?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  color_range?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number | string }[];
  disposition?: { attached_pic?: number };
}
export interface ProbeFormat {
  format_name?: string;
  duration?: string;
  start_time?: string;
}
export interface ProbeOutput {
  streams?: ProbeStream[];
  format?: ProbeFormat;
}
/** `ffprobe -show_entries packet=pts_time,dts_time,flags -print_format json`; packets in decode order. */
export interface ProbePackets {
  packets?: { pts_time?: string; dts_time?: string; flags?: string }[];
}
export interface Packet {
  ptsSec: number;
  dtsSec: number;
  key: boolean;
}

/** Relative difference between r_frame_rate and avg_frame_rate above which we call the rate variable. */
const VFR_TOLERANCE = 0.01;
/** Demuxers that read single pictures. */
const IMAGE_FORMAT = /(^|,)(image2|[a-z0-9]+_pipe)(,|$)/;
/** "Video" codecs that render text files (ffmpeg reads any .txt as ANSI art through its tty demuxer). */
const TEXT_CODECS = new Set(['ansi', 'bintext', 'xbin', 'idf']);

/** "30000/1001" -> 29.97; null for "0/0", "N/A" or missing. */
export function parseRate(rate: string | undefined): number | null {
  const m = /^(\d+)\/(\d+)$/.exec(rate ?? '');
  if (!m || Number(m[2]) === 0 || Number(m[1]) === 0) return null;
  return Number(m[1]) / Number(m[2]);
}

function num(value: string | number | undefined): number | null {
  const n = typeof value === 'number' ? value : Number.parseFloat(value ?? '');
  return Number.isFinite(n) ? n : null;
}

/**
 * Clockwise rotation that makes the stored picture upright. ffprobe's Display Matrix `rotation` is
 * counter-clockwise (av_display_rotation_get): a portrait iPhone clip reports -90 and must be turned
 * 90 degrees clockwise, so clockwise = -rotation. The legacy `rotate` tag is already clockwise.
 */
export function rotationOf(stream: ProbeStream): VideoInfo['rotation'] {
  const matrix = stream.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' && num(d.rotation) !== null);
  const clockwise = matrix ? -num(matrix.rotation)! : num(stream.tags?.rotate) ?? 0;
  const quarter = (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
  return quarter as VideoInfo['rotation'];
}

/** Bits per sample: bits_per_raw_sample when given (H.264), else from the pixel format (yuv420p10le, p010le). */
export function bitDepthOf(stream: ProbeStream): number {
  const raw = num(stream.bits_per_raw_sample);
  if (raw && raw > 0) return raw;
  const m = /(?:p0?|gray)(\d{2})(?:le|be)$/.exec(stream.pix_fmt ?? '');
  return m ? Number(m[1]) : 8;
}

/** True when the bytes start like an MP4/MOV (a first box such as ftyp), as opposed to garbage named .mp4. */
export function startsLikeMp4(head: Uint8Array): boolean {
  const box = String.fromCharCode(...head.subarray(4, 8));
  return ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(box);
}

/** The first real video stream (not cover art), or a LotreelError saying why there is none. */
export function pickVideoStream(probe: ProbeOutput, file: string): ProbeStream {
  const name = basename(file);
  const format = probe.format?.format_name ?? '';
  const video = (probe.streams ?? []).find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) {
    const audio = (probe.streams ?? []).some((s) => s.codec_type === 'audio');
    throw new LotreelError('INPUT_NOT_VIDEO', `${name} has no video stream${audio ? ' (audio only)' : ''}`, { details: { file, format } });
  }
  if (TEXT_CODECS.has(video.codec_name ?? '')) {
    throw new LotreelError('INPUT_NOT_VIDEO', `${name} is a text file, not a video`, { details: { file, format } });
  }
  if (IMAGE_FORMAT.test(format) || video.nb_frames === '1') {
    throw new LotreelError('INPUT_NOT_VIDEO', `${name} is an image, not a video`, { details: { file, format, codec: video.codec_name } });
  }
  return video;
}

/** Largest keyframe gap in a packet scan, including the open gap after the last keyframe; null without keyframes. */
export function maxKeyframeIntervalMs(packets: readonly Packet[]): number | null {
  const keys = packets.filter((p) => p.key).map((p) => p.ptsSec).sort((a, b) => a - b);
  if (keys.length === 0) return null;
  const lastPts = Math.max(...packets.map((p) => p.ptsSec));
  let max = lastPts - keys[keys.length - 1];
  for (let i = 1; i < keys.length; i++) max = Math.max(max, keys[i] - keys[i - 1]);
  return Math.round(max * 1000);
}

/** Packets with a usable pts, in decode order; dts falls back to pts when missing. */
export function packetsOf(scan: ProbePackets): Packet[] {
  const out: Packet[] = [];
  for (const p of scan.packets ?? []) {
    const pts = num(p.pts_time);
    if (pts === null) continue;
    out.push({ ptsSec: pts, dtsSec: num(p.dts_time) ?? pts, key: (p.flags ?? '').startsWith('K') });
  }
  return out;
}

function tag(value: string | undefined): string | null {
  return value && value !== 'unknown' && value !== 'unspecified' ? value : null;
}

export function videoInfoFromProbe(file: string, sizeBytes: number, probe: ProbeOutput, keyframeScan: ProbePackets | null): VideoInfo {
  const v = pickVideoStream(probe, file);
  const name = basename(file);
  const durationSec = num(v.duration) ?? num(probe.format?.duration) ?? 0;
  const durationMs = Math.round(durationSec * 1000);
  if (!(durationMs > 0) || v.nb_frames === '0') {
    throw new LotreelError('INPUT_CORRUPT', `${name} has a video stream but no frames (zero duration)`, { details: { file } });
  }
  const codedWidth = v.width ?? 0;
  const codedHeight = v.height ?? 0;
  if (!(codedWidth > 0 && codedHeight > 0)) {
    throw new LotreelError('INPUT_CORRUPT', `${name}: the video stream has no picture size`, { details: { file } });
  }
  const rotation = rotationOf(v);
  const sideways = rotation === 90 || rotation === 270;
  const avg = parseRate(v.avg_frame_rate);
  const r = parseRate(v.r_frame_rate);
  const frames = num(v.nb_frames);
  const fps = avg ?? r ?? (frames ? frames / durationSec : 0);
  const streamStartSec = num(v.start_time) ?? 0;
  return {
    file,
    sizeBytes,
    durationMs,
    width: sideways ? codedHeight : codedWidth,
    height: sideways ? codedWidth : codedHeight,
    codedWidth,
    codedHeight,
    fps,
    variableFrameRate: avg !== null && r !== null && Math.abs(r - avg) / avg > VFR_TOLERANCE,
    codec: v.codec_name ?? 'unknown',
    pixelFormat: v.pix_fmt ?? 'unknown',
    bitDepth: bitDepthOf(v),
    rotation,
    hasAudio: (probe.streams ?? []).some((s) => s.codec_type === 'audio'),
    maxKeyframeIntervalMs: keyframeScan ? maxKeyframeIntervalMs(packetsOf(keyframeScan)) : null,
    colorTransfer: tag(v.color_transfer),
    colorPrimaries: tag(v.color_primaries),
    colorSpace: tag(v.color_space),
    colorRange: tag(v.color_range),
    streamIndex: v.index,
    streamStartMs: streamStartSec * 1000,
    fileStartMs: (num(probe.format?.start_time) ?? streamStartSec) * 1000,
  };
}
