/**
 * Whole pipeline against a full decode: wall time of `lotreel process VIDEO --json` against
 * `ffmpeg -i VIDEO -f null -` (every frame decoded, nothing else) of the same file, alternating in one run.
 *
 *   npm run bench                      # bench1080p fixture (~73 s 1920x1080 30 fps h264), 3 alternations
 *   npm run bench -- --runs 5          # more alternations
 *   npm run bench -- --long            # also the 10-minute 1080p fixture: one decode + one process (peak RSS)
 *   npm run bench -- --video lot.mp4   # any file instead of the fixture (no truth score)
 *   npm run bench -- --preset bench4cars1080p   # another fixture preset (fixtures/walkaround.ts) with its truth
 *
 * Targets (issue): ratio process/decode <= 1.0 on a 2-core CPU; peak RSS < 1.5 GB (1500 MB, MB = 10^6
 * bytes) for a 10-minute 1080p video.
 *
 * Memory, two numbers per child (MB = 10^6 bytes):
 *   tree       = the largest sum, over polls every ~20 ms, of VmRSS of the child and all its descendants
 *                (node + the ffmpeg/ffprobe it runs; found by walking ppid in /proc/<pid>/stat). An upper
 *                bound: pages shared between processes (libav* libraries) count once per process. Children
 *                that live less than a poll can be missed; a child between fork and exec is skipped.
 *   node-only  = VmHWM (the kernel's high-water mark of resident memory) of the child itself, from
 *                /proc/<pid>/status, last read before it exited (at most ~20 ms before).
 * CPU s = utime + stime of the child and its descendants (reaped ones included), from the same polls.
 * Per stage, the table also gives the lotreel process' own CPU ms while the stage ran (the result's
 * `cpuMs`: all its threads, not ffmpeg; stages that overlap both count it) and what was decoded.
 * "others CPU s" = busy CPU of the whole machine during the run that was not the run's own (other
 * processes, and this poller): when it is large, wall times are inflated by contention.
 *
 * Needs ../shared/models/yolox_nano/yolox_nano.onnx. The embedded database lives in
 * .lotreel-test/bench-data (kept between bench runs, so only the very first run pays for creating it).
 * Figures also go to .lotreel-test/bench-results.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { projectRoot, sharedRoot } from '../fixtures/paths.js';
import { scoreWalkaround, type WalkaroundScore } from '../fixtures/score.js';
import { buildPreset, type PresetName, type Truth } from '../fixtures/walkaround.js';
import type { ProcessResult } from '../src/pipeline/result.js';
import { locateFfmpeg } from '../src/media/binaries.js';

const RSS_TARGET_MB = 1500;
const POLL_MS = 20;

// ---------------------------------------------------------------------------------------------
// Arguments and set-up

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runs = Number(option('runs') ?? 3);
if (!Number.isInteger(runs) || runs < 1) fail('--runs must be a positive integer');
const videoArg = option('video');
const presetArg = (option('preset') ?? 'bench1080p') as PresetName;

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const modelsDir = join(sharedRoot, 'models', 'yolox_nano');
if (!existsSync(join(modelsDir, 'yolox_nano.onnx'))) fail(`missing ${join(modelsDir, 'yolox_nano.onnx')} (LOTREEL_MODELS_DIR for the bench)`);
const benchRoot = join(projectRoot, '.lotreel-test');
const dataDir = join(benchRoot, 'bench-data');
const dbExisted = existsSync(join(dataDir, 'db'));
const binaries = locateFfmpeg({ ffmpegPath: process.env.LOTREEL_FFMPEG, ffprobePath: process.env.LOTREEL_FFPROBE });
const childEnv = { ...process.env, LOTREEL_DATA_DIR: dataDir, LOTREEL_MODELS_DIR: modelsDir, LOTREEL_FFMPEG: binaries.ffmpeg, LOTREEL_FFPROBE: binaries.ffprobe };

// ---------------------------------------------------------------------------------------------
// Measuring one child: wall time, peak tree RSS, root VmHWM

interface Measured {
  wallS: number;
  /** CPU seconds of the child and its descendants (last poll before exit). */
  cpuS: number;
  /** Busy CPU seconds of the machine during the run that were not the child's (other processes, this poller). */
  otherCpuS: number;
  treeMB: number;
  rootHwmMB: number;
  /** What the tree held at its peak, e.g. "node 812 + ffmpeg 95". */
  atPeak: string;
  stdout: string;
}

const MB = (kB: number) => (kB * 1024) / 1e6;

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // gone between listing and reading
  }
}

const CLK_TCK = 100; // USER_HZ: /proc times are in 1/100 s on Linux

/** pid and its descendants: command name and CPU seconds (own + reaped children), from /proc/<pid>/stat. */
function processTree(root: number): { pid: number; comm: string; cpuS: number }[] {
  const children = new Map<number, { pid: number; comm: string; cpuS: number }[]>();
  let rootEntry = { pid: root, comm: '?', cpuS: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is stat field 3 (state)
    const cpuS = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLK_TCK; // utime stime cutime cstime
    const p = { pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), cpuS };
    if (p.pid === root) rootEntry = p;
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), p]);
  }
  const tree = [rootEntry];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i].pid) ?? []));
  return tree;
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
function machineBusyS(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

function measure(command: string, args: string[]): Promise<Measured> {
  return new Promise((done, reject) => {
    const started = performance.now();
    const busyAtStart = machineBusyS();
    const child = spawn(command, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    let cpuS = 0;
    let treeKb = 0;
    let rootHwmKb = 0;
    let atPeak = '';
    const poll = () => {
      if (child.pid === undefined) return;
      // A child between fork and exec still has the parent's name and shows the parent's pages (copy on
      // write) as its own: it is skipped (lotreel's own children are ffmpeg and ffprobe).
      const members = processTree(child.pid)
        .filter((p, i) => i === 0 || p.comm !== basename(command))
        .map((p) => ({ ...p, kb: statusKb(p.pid, 'VmRSS') }));
      if (members[0].comm !== '?') cpuS = members.reduce((s, p) => s + p.cpuS, 0);
      rootHwmKb = Math.max(rootHwmKb, statusKb(child.pid, 'VmHWM'));
      const sum = members.reduce((s, p) => s + p.kb, 0);
      if (sum > treeKb) {
        treeKb = sum;
        atPeak = members.filter((p) => p.kb > 0).map((p) => `${p.comm} ${MB(p.kb).toFixed(0)}`).join(' + ');
      }
    };
    const timer = setInterval(poll, POLL_MS);
    let wallS = 0;
    let otherCpuS = 0;
    child.on('exit', () => {
      wallS = (performance.now() - started) / 1000;
      otherCpuS = Math.max(0, machineBusyS() - busyAtStart - cpuS);
      clearInterval(timer);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${basename(command)} ${args.join(' ')} exited ${code}:\n${stderr}`));
      done({ wallS, cpuS, otherCpuS, treeMB: MB(treeKb), rootHwmMB: MB(rootHwmKb), atPeak, stdout });
    });
  });
}

const fullDecode = (video: string) => measure(binaries.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', video, '-f', 'null', '-']);

interface ProcessRun extends Measured {
  result: ProcessResult;
  score: WalkaroundScore | null;
}

async function processRun(video: string, truth: Truth | null): Promise<ProcessRun> {
  const outDir = join(benchRoot, 'bench-out', basename(video).replace(/\.[^.]+$/, ''));
  const measured = await measure(process.execPath, [join(projectRoot, 'bin', 'lotreel.js'), 'process', video, '--json', '--out', outDir]);
  const result = JSON.parse(measured.stdout) as ProcessResult;
  return { ...measured, stdout: '', result, score: truth ? scoreWalkaround(truth, result.cars) : null };
}

// ---------------------------------------------------------------------------------------------
// Printing

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => r[c]?.length ?? 0)));
  return cells.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

const scoreText = (s: WalkaroundScore | null) =>
  s
    ? `cars ${s.foundCars}/${s.expectedCars}${s.oneToOne ? ' one-to-one' : ' NOT one-to-one'}, max boundary error ${s.maxBoundaryErrorMs} ms, ` +
      `photos outside car ${s.photosOutsideCar}, min sectors ${s.minSectorsCovered}/8`
    : 'no truth (--video): not scored';

function describeVideo(r: ProcessResult): string {
  const v = r.video;
  return `${v.file}: ${(v.durationMs / 1000).toFixed(1)} s ${v.width}x${v.height} ${v.fps} fps ${v.codec} ${v.bitDepth}-bit, sampling ${v.sampling}, ${v.framesAnalysed} frames analysed, device ${r.device.used}`;
}

/** Stage names as the JSON reports them (the pipeline may add some), `total` last. */
const stagesOf = (runs: ProcessRun[]) => [...new Set(runs.flatMap((r) => Object.keys(r.result.timingsMs)).filter((k) => k !== 'total')), 'total'];

/** Median ms per stage; `other` = total minus the stages (in the pipeline, in no stage); `wall-total` = node start-up and exit. */
function stageMedians(runs: ProcessRun[]): Record<string, number> {
  const medians: Record<string, number> = Object.fromEntries(stagesOf(runs).map((s) => [s, median(runs.map((r) => r.result.timingsMs[s as keyof ProcessResult['timingsMs']] ?? 0))]));
  medians.other = median(runs.map((r) => Object.entries(r.result.timingsMs).reduce((rest, [k, v]) => (k === 'total' ? rest : rest - v), r.result.timingsMs.total)));
  medians.wall = median(runs.map((r) => r.wallS * 1000));
  medians['wall-total'] = median(runs.map((r) => r.wallS * 1000 - r.result.timingsMs.total));
  return medians;
}

/** Median CPU ms of the lotreel process per stage (stages side by side both count what was used meanwhile; ffmpeg is not in it). */
function cpuMedians(runs: ProcessRun[], stages: string[]): Record<string, number> {
  return Object.fromEntries(stages.map((s) => [s, median(runs.map((r) => (r.result.cpuMs as Record<string, number> | undefined)?.[s] ?? NaN))]));
}

function stageTable(runs: ProcessRun[]): string {
  const medians = stageMedians(runs);
  const cpu = cpuMedians(runs, Object.keys(medians));
  const decoded = runs.map((r) => r.result.decoded).filter((d) => d !== undefined);
  const decodedText = decoded.length
    ? `\ndecoded per run (median): ${median(decoded.map((d) => d.runs))} ffmpeg decodes, ${median(decoded.map((d) => d.frames))} frames, ${(median(decoded.map((d) => d.bytes)) / 1e6).toFixed(0)} MB of rgb24 into Node`
    : '';
  return (
    table([
      ['stage (median ms)', ...Object.keys(medians)],
      ['wall', ...Object.values(medians).map((v) => v.toFixed(0))],
      ['CPU of lotreel', ...Object.values(cpu).map((v) => (Number.isNaN(v) ? '' : v.toFixed(0)))],
    ]) + decodedText
  );
}

// ---------------------------------------------------------------------------------------------
// Main

async function loadVideo(preset: PresetName): Promise<{ video: string; truth: Truth | null }> {
  const built = await buildPreset(preset);
  console.log(`fixture ${preset}: ${built.cached ? 'cached' : `built in ${(built.buildMs / 1000).toFixed(0)} s`} (${built.video})`);
  return { video: built.video, truth: built.truth };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const ffmpegVersion = spawnSync(binaries.ffmpeg, ['-version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? '?', node: process.version, ffmpeg: `${binaries.ffmpeg} (${binaries.source}): ${ffmpegVersion}` };
  console.log(`machine: ${machine.nproc} CPUs, ${machine.cpu}, node ${machine.node}\nffmpeg:  ${machine.ffmpeg}`);
  console.log(`load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(' ')} (others' CPU s below: busy CPU of the machine during a run that was not the run's)`);
  console.log(`data dir ${dataDir}: database ${dbExisted ? 'already existed' : 'created by the warm-up run'}`);

  const { video, truth } = videoArg ? { video: resolve(process.env.INIT_CWD ?? '.', videoArg), truth: null } : await loadVideo(presetArg);
  if (!existsSync(video)) fail(`no such file ${video}`);
  mkdirSync(join(benchRoot, 'bench-out'), { recursive: true });

  const warmDecode = await fullDecode(video);
  const warmProcess = await processRun(video, truth);
  console.log(`warm-up (not counted): decode ${warmDecode.wallS.toFixed(2)} s, process ${warmProcess.wallS.toFixed(2)} s`);
  console.log(describeVideo(warmProcess.result));

  const decodes: Measured[] = [];
  const processes: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) {
    decodes.push(await fullDecode(video));
    processes.push(await processRun(video, truth));
  }

  const ratios = processes.map((p, i) => p.wallS / decodes[i].wallS);
  const cpuRatios = processes.map((p, i) => p.cpuS / decodes[i].cpuS);
  // Every draft written (the clips still encoding after it), against the same decode.
  const draftRatios = processes.map((p, i) => p.result.draftsReadyMs / 1000 / decodes[i].wallS);
  const rows: (string | number)[][] = [
    ['run', 'decode s', 'process s', 'ratio', 'drafts ready s', 'drafts ratio', 'decode CPU s', 'process CPU s', 'CPU ratio', 'others CPU s d/p', 'decode RSS MB', 'process RSS MB tree', 'node-only', 'cars'],
  ];
  processes.forEach((p, i) => {
    const d = decodes[i];
    rows.push([i + 1, d.wallS.toFixed(2), p.wallS.toFixed(2), ratios[i].toFixed(2), (p.result.draftsReadyMs / 1000).toFixed(2), draftRatios[i].toFixed(2), d.cpuS.toFixed(1), p.cpuS.toFixed(1), cpuRatios[i].toFixed(2),
      `${d.otherCpuS.toFixed(1)}/${p.otherCpuS.toFixed(1)}`, d.treeMB.toFixed(0), p.treeMB.toFixed(0), p.rootHwmMB.toFixed(0), p.result.cars.length]);
  });
  const med = {
    decodeS: median(decodes.map((d) => d.wallS)),
    processS: median(processes.map((p) => p.wallS)),
    ratio: median(ratios),
    draftsRatio: median(draftRatios),
    cpuRatio: median(cpuRatios),
    treeMB: Math.max(...processes.map((p) => p.treeMB)),
    rootHwmMB: Math.max(...processes.map((p) => p.rootHwmMB)),
  };
  rows.push(['median', med.decodeS.toFixed(2), med.processS.toFixed(2), med.ratio.toFixed(2), (median(processes.map((p) => p.result.draftsReadyMs)) / 1000).toFixed(2), med.draftsRatio.toFixed(2), median(decodes.map((d) => d.cpuS)).toFixed(1),
    median(processes.map((p) => p.cpuS)).toFixed(1), med.cpuRatio.toFixed(2), '', median(decodes.map((d) => d.treeMB)).toFixed(0), `max ${med.treeMB.toFixed(0)}`, `max ${med.rootHwmMB.toFixed(0)}`, '']);
  console.log(`\n${table(rows)}\n\n${stageTable(processes)}`);
  const peakRun = processes.reduce((a, b) => (b.treeMB > a.treeMB ? b : a));
  console.log(`process tree at its peak (run ${processes.indexOf(peakRun) + 1}): ${peakRun.atPeak} MB`);
  console.log(`score (last run): ${scoreText(processes.at(-1)!.score)}`);

  let long: { decode: Measured; process: ProcessRun } | null = null;
  if (flag('long')) {
    const { video: longVideo, truth: longTruth } = await loadVideo('bench1080p10min');
    long = { decode: await fullDecode(longVideo), process: await processRun(longVideo, longTruth) };
    const { decode: d, process: p } = long;
    console.log(`\n--long: ${describeVideo(p.result)}`);
    console.log(
      table([
        ['10-min video', 'decode s', 'process s', 'ratio', 'decode CPU s', 'process CPU s', 'CPU ratio', 'others CPU s d/p', 'decode RSS MB', 'process RSS MB tree', 'node-only', 'cars'],
        ['', d.wallS.toFixed(2), p.wallS.toFixed(2), (p.wallS / d.wallS).toFixed(2), d.cpuS.toFixed(1), p.cpuS.toFixed(1), (p.cpuS / d.cpuS).toFixed(2),
          `${d.otherCpuS.toFixed(1)}/${p.otherCpuS.toFixed(1)}`, d.treeMB.toFixed(0), p.treeMB.toFixed(0), p.rootHwmMB.toFixed(0), p.result.cars.length],
      ]),
    );
    console.log(stageTable([p]));
    console.log(`process tree at its peak: ${p.atPeak} MB\nscore: ${scoreText(p.score)}`);
  }

  const ratioOk = med.ratio <= 1.0;
  const rssText = long
    ? `peak RSS ${long.process.treeMB.toFixed(0)} MB tree / ${long.process.rootHwmMB.toFixed(0)} MB node for the 10-min video ${long.process.treeMB < RSS_TARGET_MB ? 'PASS' : 'FAIL'} (< ${RSS_TARGET_MB} MB)`
    : 'peak RSS for the 10-min video not measured (--long)';
  console.log(`\nverdict: ratio ${med.ratio.toFixed(2)} ${ratioOk ? 'PASS' : 'FAIL'} (<= 1.0 on ${machine.nproc} CPUs); ${rssText}`);

  const strip = (m: Measured) => ({ wallS: m.wallS, cpuS: m.cpuS, otherCpuS: m.otherCpuS, treeMB: m.treeMB, rootHwmMB: m.rootHwmMB, atPeak: m.atPeak });
  const strProcess = (p: ProcessRun) => ({ ...strip(p), timingsMs: p.result.timingsMs, video: p.result.video, cars: p.result.cars.length, score: p.score });
  const record = {
    date: new Date().toISOString(),
    machine,
    loadAtStart,
    dbExisted,
    video,
    warmUp: { decode: strip(warmDecode), process: strProcess(warmProcess) },
    runs: processes.map((p, i) => ({ decode: strip(decodes[i]), process: strProcess(p), ratio: ratios[i] })),
    medians: { ...med, stagesMs: stageMedians(processes) },
    long: long && { decode: strip(long.decode), process: strProcess(long.process), ratio: long.process.wallS / long.decode.wallS },
    targets: { ratioMax: 1.0, rssMaxMB: RSS_TARGET_MB, ratioOk, rssOk: long ? long.process.treeMB < RSS_TARGET_MB : null },
  };
  writeFileSync(join(benchRoot, 'bench-results.json'), JSON.stringify(record, null, 2) + '\n');
  console.log(`figures written to ${join(benchRoot, 'bench-results.json')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
