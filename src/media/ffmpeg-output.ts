/**
 * Reading what ffmpeg and ffprobe write on stderr (pure): showinfo frame lines, and turning a failed
 * run's stderr into an error code and a one-line reason.
 */
import type { ErrorCode } from '../core/errors.js';

export type ShowinfoEvent =
  | { kind: 'timebase'; num: number; den: number }
  | { kind: 'frame'; n: number; pts: number; ptsTimeSec: number };

const SHOWINFO = /^\[Parsed_showinfo_\d+ @ [^\]]+\] /;
const TIMEBASE = /config in time_base: (\d+)\/(\d+)/;
const FRAME = /^n:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:(\S+)/;

/** The frame and time-base lines of the showinfo filter; every other line gives null. */
export function parseShowinfoLine(line: string): ShowinfoEvent | null {
  const prefix = SHOWINFO.exec(line);
  if (!prefix) return null;
  const body = line.slice(prefix[0].length);
  const frame = FRAME.exec(body);
  if (frame) return { kind: 'frame', n: Number(frame[1]), pts: Number(frame[2]), ptsTimeSec: Number(frame[3]) };
  const tb = TIMEBASE.exec(body);
  if (tb && Number(tb[2]) > 0) return { kind: 'timebase', num: Number(tb[1]), den: Number(tb[2]) };
  return null;
}

/**
 * Display time of a showinfo frame in integer ms. The integer pts and the time base are exact;
 * pts_time is printed with 6 significant digits (10 ms steps past 1000 s), so it is only a fallback.
 */
export function showinfoTimestampMs(
  frame: { pts: number; ptsTimeSec: number },
  timebase: { num: number; den: number } | null,
  streamStartMs: number,
): number {
  const ptsMs = timebase ? (frame.pts * 1000 * timebase.num) / timebase.den : frame.ptsTimeSec * 1000;
  return Math.max(0, Math.round(ptsMs - streamStartMs));
}

/** Lines kept for error messages: not showinfo chatter, not the banner and stream listing. */
export function isDiagnosticLine(line: string): boolean {
  const t = line.trim();
  if (!t || SHOWINFO.test(line)) return false;
  return !/^(Input #|Output #|Stream #|Stream mapping|Metadata:|Duration:|Side data:|Press \[q\]|frame=|video:|[a-z_]+\s+: )/.test(t);
}

const TRUNCATED = /partial file|corrupt input packet|Packet corrupt|moov atom not found/i;
const CORRUPT =
  /moov atom not found|partial file|corrupt input packet|Packet corrupt|Invalid NAL unit|error while decoding|decode_slice_header|Invalid data found when processing input|missing picture|concealing|non-existing PPS|no frame!/i;
const NOT_MEDIA = /Invalid data found when processing input|could not find codec parameters|unknown format|Unknown input format/i;
const MISSING = /No such file or directory/i;

/** True when stderr says the file ends early (an interrupted copy or upload). */
export function looksTruncated(lines: readonly string[]): boolean {
  return lines.some((line) => TRUNCATED.test(line));
}

/**
 * Error code for a failed run. `open`: ffprobe/ffmpeg could not open the file at all, so unreadable
 * data means "not a video" (a truncated MP4 without its index is the exception: corrupt).
 * `decode`: the file was probed fine before, so unreadable data means corrupt.
 */
export function classifyFailure(lines: readonly string[], stage: 'open' | 'decode' | 'mux'): ErrorCode {
  const text = lines.join('\n');
  if (MISSING.test(text) && stage === 'open') return 'INPUT_MISSING';
  if (/moov atom not found/i.test(text)) return 'INPUT_CORRUPT';
  if (stage === 'open' && NOT_MEDIA.test(text)) return 'INPUT_NOT_VIDEO';
  if (stage !== 'mux' && CORRUPT.test(text)) return 'INPUT_CORRUPT';
  return 'FFMPEG_FAILED';
}

/** Phrases that explain a failure better than whatever came last. */
const TELLING = [/moov atom not found|partial file/i, /corrupt|invalid|error|not found|no such|failed|unable|cannot/i];

/**
 * The most telling stderr line on one line of at most 200 characters, without the "[h264 @ 0x…]"
 * prefix or the "<file>: " that ffmpeg puts before errors about its input.
 */
export function summariseStderr(lines: readonly string[], file?: string): string {
  const useful = lines.filter(isDiagnosticLine);
  let pick: string | undefined;
  for (const phrase of TELLING) pick ??= [...useful].reverse().find((l) => phrase.test(l));
  pick ??= useful[useful.length - 1] ?? 'no message';
  let clean = pick.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/i, '');
  if (file && clean.startsWith(`${file}: `)) clean = clean.slice(file.length + 2);
  clean = clean.replace(/\s+/g, ' ').trim();
  return clean.length > 200 ? clean.slice(0, 197) + '...' : clean;
}
