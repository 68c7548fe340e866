/**
 * Runs the real `lotreel` command (`node bin/lotreel.js`, i.e. the compiled dist/) as a child process:
 * no shell, a controlled environment, stdout and stderr captured separately.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './shared.js';

export const cliBin = join(projectRoot, 'bin', 'lotreel.js');

export interface CliRun {
  /** Exit status, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * A settings file (for LOTREEL_CONFIG) for tests of what surrounds the analysis (crash safety, cars
 * stored early): no text reading, and clips cut without looking for plates. These are the costliest
 * stages, covered by their own tests; here they would only multiply the suite's time.
 */
export function shellTestSettings(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'shell-test-settings.json');
  writeFileSync(file, JSON.stringify({ ocr: { enabled: false }, plates: { blur: false } }));
  return file;
}

export interface CliEnvOptions {
  home: string;
  dataDir: string;
  modelsDir: string;
  databaseUrl?: string;
  extra?: Record<string, string>;
}

/**
 * The child's whole environment: PATH (for ffmpeg), HOME, the data and models folders, JSON log
 * records, and DATABASE_URL only when given. Nothing else of the test process leaks in (no DATABASE_URL, CI,
 * NODE_OPTIONS, XDG_*).
 */
export function cliEnv(options: CliEnvOptions): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: options.home,
    LOTREEL_DATA_DIR: options.dataDir,
    LOTREEL_MODELS_DIR: options.modelsDir,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    // The tests read log records as JSON; people get human lines by default.
    LOTREEL_LOG_FORMAT: 'json',
    ...options.extra,
  };
}

export interface StartOptions {
  env: Record<string, string>;
  /** Options for node itself, before the script (e.g. `--import`). */
  nodeArgs?: string[];
  /** Own process group (so the test can signal the group, as a terminal's Ctrl-C does). */
  detached?: boolean;
  /** Kill (SIGKILL) and fail after this long. Default 90 s. */
  timeoutMs?: number;
}

export interface StartedCli {
  child: ChildProcess;
  pid: number;
  /** Settles when the process has exited and its pipes are closed. Never rejects on a non-zero exit. */
  result: Promise<CliRun>;
}

/** Starts any program (no shell) the way startCli starts lotreel; the result never rejects on a non-zero exit. */
export function startProcess(file: string, args: readonly string[], options: StartOptions): StartedCli {
  const started = performance.now();
  const child = spawn(file, args, {
    cwd: projectRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  if (child.pid === undefined) throw new Error(`could not start ${file}`);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timeoutMs = options.timeoutMs ?? 90_000;
  const result = new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
  return { child, pid: child.pid, result };
}

/** Starts `node [nodeArgs] bin/lotreel.js ...args`. */
export function startCli(args: readonly string[], options: StartOptions): StartedCli {
  return startProcess(process.execPath, [...(options.nodeArgs ?? []), cliBin, ...args], options);
}

export function runCli(args: readonly string[], options: StartOptions): Promise<CliRun> {
  return startCli(args, options).result;
}

/** A one-line error as the README promises: `lotreel: <what is wrong> [CODE]`. */
export const ERROR_LINE = /^lotreel: .+ \[([A-Z_]+)\]$/;

/** A JavaScript stack frame line (`    at fn (file:…)`). */
export const STACK_FRAME = /^\s+at .+/m;

/** stderr split into lines, without the trailing empty one. */
export function stderrLines(run: CliRun): string[] {
  return run.stderr === '' ? [] : run.stderr.replace(/\n$/, '').split('\n');
}

/** Describes a run for assertion messages. */
export function describeRun(run: CliRun): string {
  return `exit ${run.code ?? run.signal} after ${run.ms} ms\n--- stderr ---\n${run.stderr}--- stdout (first 2000 chars) ---\n${run.stdout.slice(0, 2000)}`;
}

// ------------------------------------------------------------------------------------ processes (Linux)

export const hasProcFs = existsSync('/proc/self/stat');

export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string[];
}

function readProcess(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') return null; // exited, waiting to be reaped: not running
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { pid, ppid: Number(fields[1]), comm, cmdline };
  } catch {
    return null; // gone meanwhile
  }
}

/** Every running (not zombie) process, from /proc. */
export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

export const childrenOf = (ppid: number): ProcessInfo[] => listProcesses().filter((p) => p.ppid === ppid);

/** Whether `pid` is still a running process with the given command name. */
export function isRunning(pid: number, comm: string): boolean {
  const info = readProcess(pid);
  return info !== null && info.comm === comm;
}

/** Running ffmpeg/ffprobe processes with `needle` (e.g. a scratch file's path) in their arguments. */
export const ffmpegProcessesMentioning = (needle: string): ProcessInfo[] =>
  listProcesses().filter((p) => (p.comm === 'ffmpeg' || p.comm === 'ffprobe') && p.cmdline.some((arg) => arg.includes(needle)));

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or `timeoutMs` passes. */
export async function pollFor<T>(probe: () => T | undefined, timeoutMs: number, everyMs = 10): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
