import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { filterSupport, runTool, spawnTool } from '../../../src/media/process-runner.js';
import { bins, pidExists } from './media-helpers.js';

const endless = ['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'rawvideo', 'pipe:1'];

describe('process runner', () => {
  it('returns stdout of a successful run', async () => {
    const out = await runTool(bins.ffprobe, ['-version'], { stage: 'open', file: 'x' });
    expect(out.toString()).toMatch(/^ffprobe version/);
  });

  it('turns a failed run into a one-line error with the stderr tail in details', async () => {
    const error = await runTool(bins.ffmpeg, ['-hide_banner', '-nostdin', '-i', '/nonexistent/in.mp4', '-f', 'null', '-'], { stage: 'open', file: '/nonexistent/in.mp4' }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'INPUT_MISSING')).toBe(true);
    expect((error as Error).message).toBe('in.mp4 does not exist: No such file or directory');
    expect((error as { details: { exitCode: number } }).details.exitCode).not.toBe(0);
    const bad = await runTool(bins.ffmpeg, ['-hide_banner', '-nostdin', '-bogus_option'], { stage: 'decode', file: '/v/in.mp4' }).catch((e: unknown) => e);
    expect(isLotreelError(bad, 'FFMPEG_FAILED')).toBe(true);
    expect((bad as Error).message).toMatch(/^ffmpeg failed on in\.mp4 \(exit code \d+\): .*(Option not found|bogus_option)/);
    expect((bad as Error).message).not.toContain('\n');
  });

  it('a missing binary is FFMPEG_MISSING', async () => {
    const error = await runTool('/nonexistent/ffmpeg', ['-version'], { stage: 'open', file: 'x' }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'FFMPEG_MISSING')).toBe(true);
  });

  // Linux only: the threads' nice values are read from /proc.
  it.runIf(existsSync('/proc/self/task'))('runs a background tool with every thread at a low priority, and a usual one at the usual', async () => {
    const niceOfThreads = (pid: number) => readdirSync(`/proc/${pid}/task`).map((t) => Number(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
    const encode = [...endless.slice(0, -3), '-c:v', 'libx264', '-preset', 'veryfast', '-threads', '4', '-f', 'mp4', '-movflags', 'frag_keyframe', 'pipe:1'];
    const ownNice = niceOfThreads(process.pid)[0];
    for (const background of [true, false]) {
      const proc = spawnTool(bins.ffmpeg, encode, { background });
      proc.stdout.resume();
      try {
        // Once the encoder's threads are up.
        await expect.poll(() => niceOfThreads(proc.pid!).length, { timeout: 10_000 }).toBeGreaterThan(2);
        expect(new Set(niceOfThreads(proc.pid!))).toEqual(new Set([background ? Math.min(19, ownNice + 10) : ownNice]));
      } finally {
        proc.kill();
        await proc.done;
      }
    }
  });

  it('abort kills a running process and rejects with ABORTED', async () => {
    const controller = new AbortController();
    const proc = spawnTool(bins.ffmpeg, endless, { signal: controller.signal });
    proc.stdout.resume();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pidExists(proc.pid!)).toBe(true);
    controller.abort();
    const exit = await proc.done;
    expect(exit.signal).toBe('SIGKILL');
    expect(pidExists(proc.pid!)).toBe(false);

    const late = new AbortController();
    const run = runTool(bins.ffmpeg, endless, { signal: late.signal, stage: 'decode', file: 'testsrc' });
    setTimeout(() => late.abort(), 100);
    expect(isLotreelError(await run.catch((e: unknown) => e), 'ABORTED')).toBe(true);
  });

  it('kill() stops a process blocked on a full stdout pipe', async () => {
    const proc = spawnTool(bins.ffmpeg, endless);
    await new Promise((resolve) => setTimeout(resolve, 200)); // nobody reads: ffmpeg blocks writing
    proc.kill();
    expect((await proc.done).signal).toBe('SIGKILL');
  });

  it('finds zscale in both ffmpeg builds, xfade only in Debian\'s (the 2018 static build has none), asking each once', async () => {
    const require = createRequire(import.meta.url);
    const npm = { ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path };
    expect(await filterSupport(bins)).toEqual({ zscale: true, xfade: true });
    expect(await filterSupport(npm)).toEqual({ zscale: true, xfade: false });
    expect(filterSupport(npm)).toBe(filterSupport(npm));
    expect(await filterSupport({ ffmpeg: '/nonexistent/ffmpeg' })).toEqual({ zscale: false, xfade: false });
  });
});
