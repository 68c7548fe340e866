/**
 * Runs ffmpeg/ffprobe (I/O): argument arrays only, never a shell; keeps the tail of stderr for errors;
 * kills the child on abort; turns failures into one-line LotreelErrors.
 */
import { spawn } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { LotreelError, type ErrorCode } from '../core/errors.js';
import type { FfmpegBinaries } from './binaries.js';
import type { FilterSupport } from './ffmpeg-args.js';
import { classifyFailure, isDiagnosticLine, summariseStderr } from './ffmpeg-output.js';

const TAIL_LINES = 40;

export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all. */
  spawnError?: Error;
  /** Last diagnostic stderr lines (showinfo chatter and the banner left out). */
  stderrTail: string[];
}

export interface ToolProcess {
  readonly pid: number | undefined;
  readonly stdout: Readable;
  /** A second output pipe on fd 3 (`pipe:3`), when asked for with `fd3`. */
  readonly fd3: Readable | null;
  /** Settles (never rejects) once the process has exited and its pipes are closed. */
  readonly done: Promise<ToolExit>;
  /** SIGKILL and drop unread output; safe to call more than once. */
  kill(): void;
}

export interface SpawnOptions {
  signal?: AbortSignal;
  /** Every stderr line, as it arrives (stderr is never paused, so ffmpeg cannot block on it). */
  onStderrLine?: (line: string) => void;
  /** Open fd 3 as a second output pipe. */
  fd3?: boolean;
  /**
   * Run at a low CPU priority (10 nicer than lotreel): work nobody waits on (a clip encoded after its draft) leaves
   * the cores to the work that is waited on. Best effort: ignored where the priority cannot be set.
   */
  background?: boolean;
}

/** How much nicer than lotreel background tools run (nice is capped at 19): they still get an idle machine's cores. */
const BACKGROUND_NICENESS = 10;

export function abortedError(): LotreelError {
  return new LotreelError('ABORTED', 'aborted');
}

export function spawnTool(bin: string, args: readonly string[], options: SpawnOptions = {}): ToolProcess {
  const { signal, onStderrLine } = options;
  if (signal?.aborted) throw abortedError();
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe', options.fd3 ? 'pipe' : 'ignore'], windowsHide: true });
  // Set right after the spawn, while ffmpeg is still starting up: the threads it starts later inherit it.
  if (options.background && child.pid !== undefined) {
    try {
      setPriority(child.pid, Math.min(19, getPriority() + BACKGROUND_NICENESS));
    } catch {
      // the tool runs at the usual priority
    }
  }
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  const fd3 = options.fd3 ? (child.stdio[3] as Readable) : null;
  const tail: string[] = [];
  let partial = '';
  const take = (line: string) => {
    onStderrLine?.(line);
    if (isDiagnosticLine(line)) {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    }
  };
  stderr.setEncoding('utf8');
  stderr.on('data', (text: string) => {
    const lines = (partial + text).split(/\r\n|\n|\r/);
    partial = lines.pop() ?? '';
    lines.forEach(take);
  });
  stderr.on('end', () => {
    if (partial) take(partial);
    partial = '';
  });

  const kill = () => {
    // SIGKILL: a SIGTERMed ffmpeg blocked on a full stdout pipe would never get to exit.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    stdout.destroy();
    fd3?.destroy();
  };
  signal?.addEventListener('abort', kill, { once: true });

  const done = new Promise<ToolExit>((resolve) => {
    child.once('error', (error) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, spawnError: error, stderrTail: tail });
    });
    child.once('close', (code, sig) => resolve({ code, signal: sig, stderrTail: tail }));
  }).finally(() => signal?.removeEventListener('abort', kill));

  return { pid: child.pid, stdout, fd3, done, kill };
}

const PHRASE: Partial<Record<ErrorCode, string>> = {
  INPUT_MISSING: 'does not exist',
  INPUT_NOT_VIDEO: 'is not a video',
  INPUT_CORRUPT: 'is damaged or incomplete',
};

/**
 * The error for a finished run, or null when it succeeded. `stage` says what failure means (see
 * classifyFailure); `file` is the input named in the message.
 */
export function toolError(bin: string, exit: ToolExit, stage: 'open' | 'decode' | 'mux', file: string, signal?: AbortSignal): LotreelError | null {
  if (signal?.aborted) return abortedError();
  const tool = basename(bin);
  if (exit.spawnError) {
    const e = exit.spawnError as NodeJS.ErrnoException;
    const code: ErrorCode = e.code === 'ENOENT' || e.code === 'EACCES' ? 'FFMPEG_MISSING' : 'FFMPEG_FAILED';
    return new LotreelError(code, `cannot run ${bin}: ${e.message}`, { cause: e });
  }
  if (exit.code === 0) return null;
  const code = classifyFailure(exit.stderrTail, stage);
  const reason = summariseStderr(exit.stderrTail, file);
  const how = exit.code === null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const message = PHRASE[code] ? `${basename(file)} ${PHRASE[code]}: ${reason}` : `${tool} failed on ${basename(file)} (${how}): ${reason}`;
  return new LotreelError(code, message, { details: { file, tool, exitCode: exit.code, signal: exit.signal, stderr: exit.stderrTail } });
}

/** Runs to completion and returns stdout; throws the classified LotreelError on failure or abort. */
export async function runTool(
  bin: string,
  args: readonly string[],
  options: { signal?: AbortSignal; stage: 'open' | 'decode' | 'mux'; file: string; background?: boolean },
): Promise<Buffer> {
  const proc = spawnTool(bin, args, { signal: options.signal, background: options.background });
  const chunks: Buffer[] = [];
  proc.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await proc.done;
  const error = toolError(bin, exit, options.stage, options.file, options.signal);
  if (error) throw error;
  return Buffer.concat(chunks);
}

/** runTool for ffprobe's JSON output. */
export async function runToolJson<T>(bin: string, args: readonly string[], options: { signal?: AbortSignal; stage: 'open' | 'decode' | 'mux'; file: string }): Promise<T> {
  const out = await runTool(bin, args, options);
  try {
    return JSON.parse(out.toString('utf8')) as T;
  } catch (error: unknown) {
    throw new LotreelError('FFMPEG_FAILED', `${basename(bin)} gave unreadable output for ${basename(options.file)}`, { cause: error });
  }
}

const support = new Map<string, Promise<FilterSupport>>();

/** Which optional filters this ffmpeg has (asked once per binary). */
export function filterSupport(binaries: Pick<FfmpegBinaries, 'ffmpeg'>): Promise<FilterSupport> {
  let found = support.get(binaries.ffmpeg);
  if (!found) {
    found = runTool(binaries.ffmpeg, ['-hide_banner', '-filters'], { stage: 'mux', file: binaries.ffmpeg })
      .then((out) => {
        const has = (name: string) => new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(out.toString('utf8'));
        return { zscale: has('zscale'), xfade: has('xfade') };
      })
      // A build that cannot even list filters fails loudly on the real run; here it just lacks both.
      .catch(() => ({ zscale: false, xfade: false }));
    support.set(binaries.ffmpeg, found);
  }
  return found;
}
