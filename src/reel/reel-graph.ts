/**
 * The one ffmpeg command that renders a reel (pure): every shot, transition, caption and the audio in
 * a single filter graph, H.264 + AAC in MP4 with the index up front. Works on Debian's ffmpeg 5.1 and,
 * with `support.xfade` false, on the 2018 static build from @ffmpeg-installer (no `xfade` filter there).
 */
import type { ReelSettings } from '../config/config.js';
import { inputPath, seconds, type FilterSupport } from '../media/ffmpeg-args.js';
import type { Caption } from './reel-captions.js';
import type { ClipShot, PhotoShot, ReelPlan } from './reel-plan.js';

export interface ReelAudio {
  /** Spoken narration (any format ffmpeg reads), started `narrationDelayMs` into the reel. */
  narration?: string | null;
  narrationDelayMs?: number;
  /** The dealer's music, looped, lowered under the narration. */
  music?: string | null;
}

export interface ReelCommandInput {
  plan: ReelPlan;
  /** Captions with the file holding each one's text (already wrapped), so no text is escaped into the graph. */
  captions: readonly (Caption & { textFile: string; lines: number })[];
  fontFile: string;
  audio: ReelAudio;
  outPath: string;
  /** Whether this ffmpeg has `xfade`; without it the crossfades are built from overlay + fade. */
  support: Pick<FilterSupport, 'xfade'>;
  settings: Pick<ReelSettings, 'captionSizeShare' | 'crf' | 'preset' | 'encoder' | 'musicVolume'>;
}

/** Canvas pixels per output pixel: a finer canvas keeps the slow zoom from stepping a pixel at a time. */
const CANVAS_SCALE = 1.5;
const even = (v: number) => Math.max(2, 2 * Math.round(v / 2));
const num = (v: number) => String(Number(v.toFixed(4)));

/** A path as a filter option value inside a filter graph (both escaping levels). */
export function filterPath(path: string): string {
  return path.replace(/[\\':]/g, '\\$&').replace(/[\\'[\],;]/g, '\\$&');
}

const frames = (ms: number, fps: number) => Math.max(1, Math.round((ms * fps) / 1000));

/** One photo shot: its canvas (blurred fill where it reaches outside the photo), then the zoom. */
function photoShotFilter(input: number, shot: PhotoShot, plan: ReelPlan, label: string): string {
  const cw = even(plan.width * CANVAS_SCALE);
  const ch = even(plan.height * CANVAS_SCALE);
  const f = cw / shot.canvas.width;
  const photo = plan.photos[shot.photo];
  const pw = even(photo.width * f);
  const ph = even(photo.height * f);
  const n = frames(shot.durationMs, plan.fps);
  const step = (a: number, b: number) => (n > 1 ? (b - a) / (n - 1) : 0);
  const w0 = shot.from.width * f;
  const dw = step(shot.from.width * f, shot.to.width * f);
  const x0 = shot.from.x * f;
  const y0 = shot.from.y * f;
  const dx = step(x0, shot.to.x * f);
  const dy = step(y0, shot.to.y * f);
  const small = `${even(cw / 8)}:${even(ch / 8)}`;
  return [
    `[${input}:v]format=yuv420p,split[${label}a][${label}b]`,
    `[${label}a]scale=${small}:force_original_aspect_ratio=increase,crop=${small},boxblur=8:2,scale=${cw}:${ch}[${label}bg]`,
    `[${label}b]scale=${pw}:${ph}[${label}fg]`,
    `[${label}bg][${label}fg]overlay=x=${num(-shot.canvas.x * f)}:y=${num(-shot.canvas.y * f)},` +
      `zoompan=z='${cw}/(${num(w0)}+${num(dw)}*on)':x='${num(x0)}+${num(dx)}*on':y='${num(y0)}+${num(dy)}*on':d=${n}:s=${plan.width}x${plan.height}:fps=${plan.fps},` +
      `setsar=1,format=yuv420p,settb=1/${plan.fps},setpts=N/(${plan.fps}*TB)[${label}]`,
  ].join(';');
}

/** One cut of the clip: the whole frame fitted in, a blurred copy behind it where the aspects differ. */
function clipShotFilter(input: number, shot: ClipShot, plan: ReelPlan, label: string): string {
  const { width: w, height: h, fps } = plan;
  const n = frames(shot.durationMs, fps);
  const small = `${even(w / 8)}:${even(h / 8)}`;
  return [
    `[${input}:v]fps=${fps},setpts=PTS-STARTPTS,format=yuv420p,split[${label}a][${label}b]`,
    `[${label}a]scale=${small}:force_original_aspect_ratio=increase,crop=${small},boxblur=8:2,scale=${w}:${h}[${label}bg]`,
    `[${label}b]scale=${w}:${h}:force_original_aspect_ratio=decrease[${label}fg]`,
    `[${label}bg][${label}fg]overlay=x=(W-w)/2:y=(H-h)/2,tpad=stop_mode=clone:stop=${n},trim=end_frame=${n},` +
      `setsar=1,format=yuv420p,settb=1/${fps},setpts=N/(${fps}*TB)[${label}]`,
  ].join(';');
}

/**
 * The shots joined by crossfades into `[xf]` (nothing when there is one shot). With `xfade`, a chain of
 * xfades. Without it, the same picture from older filters: a black base the reel's length, the first
 * shot on it, then each later shot moved to its start, its alpha faded in over the transition and laid
 * on top: during the fade the frame is (1-a)*previous + a*next, as xfade's fade; once a shot ends
 * (eof_action=pass) the next, already opaque, covers it.
 */
export function crossfades(plan: Pick<ReelPlan, 'shots' | 'transitionMs' | 'durationMs' | 'width' | 'height' | 'fps'>, labels: readonly string[], support: Pick<FilterSupport, 'xfade'>): string[] {
  if (labels.length < 2) return [];
  const t = seconds(plan.transitionMs);
  const graph: string[] = [];
  let video = labels[0];
  for (let k = 1; k < labels.length; k++) {
    const out = k === labels.length - 1 ? 'xf' : `x${k}`;
    const start = seconds(plan.shots[k].startMs);
    if (support.xfade) {
      graph.push(`[${video}][${labels[k]}]xfade=transition=fade:duration=${t}:offset=${start}[${out}]`);
    } else {
      if (k === 1) {
        graph.push(`color=c=black:s=${plan.width}x${plan.height}:r=${plan.fps}:d=${seconds(plan.durationMs)},format=yuv420p,settb=1/${plan.fps}[base]`);
        graph.push(`[base][${video}]overlay=eof_action=pass:format=yuv420[x0]`);
        video = 'x0';
      }
      graph.push(`[${labels[k]}]format=yuva420p,fade=t=in:st=0:d=${t}:alpha=1,setpts=PTS+${start}/TB[${labels[k]}f]`);
      graph.push(`[${video}][${labels[k]}f]overlay=eof_action=pass:format=yuv420[${out}]`);
    }
    video = out;
  }
  return graph;
}

function captionFilter(caption: ReelCommandInput['captions'][number], input: ReelCommandInput): string {
  const { plan } = input;
  const size = Math.round(plan.width * input.settings.captionSizeShare);
  const fade = 0.25;
  const a = seconds(caption.startMs);
  const b = seconds(caption.endMs);
  // Lower third, whatever the lines: the block grows upwards.
  const bottom = Math.round(plan.height * (plan.height > plan.width ? 0.8 : 0.86));
  return [
    `drawtext=fontfile='${filterPath(input.fontFile)}':textfile='${filterPath(caption.textFile)}':expansion=none`,
    `fontsize=${size}:fontcolor=white:line_spacing=${Math.round(size * 0.25)}`,
    `box=1:boxcolor=black@0.55:boxborderw=${Math.round(size * 0.4)}`,
    `x=(w-text_w)/2:y=${bottom}-text_h`,
    `enable='between(t,${a},${b})'`,
    `alpha='min(1,min((t-${a})/${fade},(${b}-t)/${fade}))'`,
  ].join(':');
}

function audioFilter(input: ReelCommandInput, narrationInput: number | null, musicInput: number | null): string {
  const d = seconds(input.plan.durationMs);
  const norm = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo';
  const fadeOut = `afade=t=out:st=${seconds(Math.max(0, input.plan.durationMs - 1500))}:d=1.5`;
  const parts: string[] = [];
  if (narrationInput !== null) {
    const delay = Math.max(0, Math.round(input.audio.narrationDelayMs ?? 700));
    // One delay per channel (stereo by now): `all=1` is newer than the 2018 build.
    parts.push(`[${narrationInput}:a]${norm},adelay=${delay}|${delay},apad,atrim=duration=${d}[narr]`);
  }
  if (musicInput !== null) parts.push(`[${musicInput}:a]${norm},volume=${num(input.settings.musicVolume)},atrim=duration=${d},${fadeOut}[music]`);
  if (narrationInput !== null && musicInput !== null) {
    parts.push('[narr]asplit[narrkey][narrmix]');
    parts.push('[music][narrkey]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]');
    // Both inputs last the whole reel, so amix halves each throughout; volume=2 makes it a plain sum
    // (amix's `normalize=0` is newer than the 2018 build).
    parts.push(`[ducked][narrmix]amix=inputs=2:duration=first,volume=2,atrim=duration=${d}[aout]`);
  } else if (narrationInput !== null) {
    parts.push('[narr]anull[aout]');
  } else if (musicInput !== null) {
    parts.push('[music]anull[aout]');
  } else {
    parts.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${d}[aout]`);
  }
  return parts.join(';');
}

/** The whole command: inputs, the graph, the encoders; ffmpeg's progress goes to stdout. */
export function reelCommandArgs(input: ReelCommandInput): string[] {
  const { plan } = input;
  const args: string[] = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-progress', 'pipe:1'];
  const graph: string[] = [];
  const labels: string[] = [];
  let next = 0;
  plan.shots.forEach((shot, k) => {
    const label = `s${k}`;
    if (shot.kind === 'photo') {
      args.push('-i', inputPath(plan.photos[shot.photo].file));
      graph.push(photoShotFilter(next++, shot, plan, label));
    } else {
      // Seeking before -i is exact when re-encoding; a little more than the cut is read, trim makes it exact.
      args.push('-ss', seconds(shot.clipStartMs), '-t', seconds(shot.durationMs + 500), '-i', inputPath(plan.clip!.file));
      graph.push(clipShotFilter(next++, shot, plan, label));
    }
    labels.push(label);
  });
  graph.push(...crossfades(plan, labels, input.support));
  const video = labels.length > 1 ? 'xf' : labels[0];
  const captions = input.captions.map((c) => captionFilter(c, input));
  graph.push(`[${video}]${[...captions, `trim=duration=${seconds(plan.durationMs)}`, 'format=yuv420p'].join(',')}[vout]`);

  const narrationInput = input.audio.narration ? next++ : null;
  if (input.audio.narration) args.push('-i', inputPath(input.audio.narration));
  const musicInput = input.audio.music ? next++ : null;
  if (input.audio.music) args.push('-stream_loop', '-1', '-i', inputPath(input.audio.music));
  graph.push(audioFilter(input, narrationInput, musicInput));

  const video264 =
    input.settings.encoder === 'h264_nvenc'
      ? ['-c:v', 'h264_nvenc', '-preset', 'p4', '-cq', String(input.settings.crf), '-b:v', '0']
      : ['-c:v', 'libx264', '-preset', input.settings.preset, '-crf', String(input.settings.crf)];
  args.push(
    '-filter_complex', graph.join(';'),
    '-map', '[vout]', '-map', '[aout]',
    ...video264, '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-r', String(plan.fps), '-g', String(plan.fps * 2),
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
    '-t', seconds(plan.durationMs),
    '-movflags', '+faststart',
    '-f', 'mp4', '-y', inputPath(input.outPath),
  );
  return args;
}
