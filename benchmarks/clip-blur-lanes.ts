/**
 * What the clip's blur graph costs as a clip gets longer: one plate tracked through a 2-minute
 * 1920x1080 30 fps clip (ffmpeg's testsrc2, built once into .lotreel-test/), in N pieces of equal
 * length, re-encoded at 1280x720 with the production arguments (encodeClipArgs), once with the pieces
 * in lanes (blurFilterGraph, as processing does) and once with one branch per piece (each its own lane:
 * the graph before lanes). Prints wall and CPU seconds and peak RSS of each ffmpeg run.
 *
 *   npx tsx benchmarks/clip-blur-lanes.ts [--pieces 0,24,240] [--seconds 120]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../fixtures/paths.js';
import { locateFfmpeg } from '../src/media/binaries.js';
import { blurLanes, encodeClipArgs, lanesFilterGraph, type BlurPiece } from '../src/media/clip-encode-args.js';

const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const counts = arg('--pieces', '0,24,240').split(',').map(Number);
const seconds = Number(arg('--seconds', '120'));
const { ffmpeg } = locateFfmpeg();
const dir = join(projectRoot, '.lotreel-test', 'clip-blur-lanes');
mkdirSync(dir, { recursive: true });
const source = join(dir, `testsrc2-${seconds}s.mp4`);
if (!existsSync(source)) {
  const built = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-y', source]);
  if (built.status !== 0) throw new Error(`could not build ${source}: ${built.stderr}`);
}

/** One plate moving along the bottom of the picture, cut into `n` pieces that follow each other. */
function track(n: number): BlurPiece[] {
  const lengthMs = (seconds * 1000) / n;
  return Array.from({ length: n }, (_, i) => ({
    fromMs: i * lengthMs,
    toMs: (i + 1) * lengthMs,
    width: 120,
    height: 40,
    from: { x: 100 + (i % 50) * 10, y: 500 },
    to: { x: 110 + (i % 50) * 10, y: 505 },
    sigma: 8,
  }));
}

const gnuTime = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));
/** Runs ffmpeg; wall, user+system CPU seconds and peak RSS (MB, when GNU time is installed). */
function encode(graph: string): { wallS: number; cpuS: number; rssMb: number | null } {
  const graphPath = join(dir, 'graph.txt');
  writeFileSync(graphPath, graph);
  const args = encodeClipArgs(source, graphPath, join(dir, 'out.mp4'), { crf: 23, preset: 'veryfast' });
  const started = performance.now();
  const run = gnuTime ? spawnSync(gnuTime, ['-f', 'LOTREEL %U %S %M', ffmpeg, ...args], { encoding: 'utf8' }) : spawnSync('bash', ['-c', 'TIMEFORMAT="LOTREEL %U %S"; time "$0" "$@"', ffmpeg, ...args], { encoding: 'utf8' });
  const wallS = (performance.now() - started) / 1000;
  const line = run.stderr.split('\n').find((l) => l.startsWith('LOTREEL '));
  if (run.status !== 0 || !line) throw new Error(`ffmpeg failed: ${run.stderr.slice(-500)}`);
  const [user, system, rssKb] = line.split(' ').slice(1).map(Number);
  return { wallS, cpuS: user + system, rssMb: rssKb ? rssKb / 1000 : null };
}

console.log(`blur graph cost: ${seconds} s 1920x1080 30 fps source to 1280x720 x264 veryfast; ${availableParallelism()} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('pieces   graph                branches   wall s   CPU s   peak RSS MB');
const size = { width: 1280, height: 720 };
for (const n of counts) {
  const pieces = track(n);
  const variants = n === 0 ? [['no blur', []] as const] : [['lanes', blurLanes(pieces)] as const, ['a branch per piece', pieces.map((p) => ({ width: p.width, height: p.height, sigma: p.sigma, pieces: [p] }))] as const];
  for (const [name, lanes] of variants) {
    const figures = encode(lanesFilterGraph(lanes, size, 0));
    console.log(`${String(n).padStart(6)}   ${name.padEnd(20)} ${String(lanes.length).padStart(8)}   ${figures.wallS.toFixed(1).padStart(6)}   ${figures.cpuS.toFixed(1).padStart(5)}   ${figures.rssMb === null ? '?' : figures.rssMb.toFixed(0).padStart(11)}`);
  }
}
rmSync(join(dir, 'out.mp4'), { force: true });
