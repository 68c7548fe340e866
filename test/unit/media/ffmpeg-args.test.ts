import { describe, expect, it } from 'vitest';
import {
  chooseSampleMode,
  concatScript,
  cutClipArgs,
  type ClipPart,
  inputPath,
  needsToneMap,
  packetScanArgs,
  rawOutputThroughQueue,
  planClip,
  probeArgs,
  rgbFilters,
  samplerArgs,
  scaledSize,
  seconds,
  stillArgs,
  yuvMatrixOf,
} from '../../../src/media/ffmpeg-args.js';
import { blurFilterGraph, blurLanes, clipColourFilters, clipSize, encodeClipArgs } from '../../../src/media/clip-encode-args.js';
import type { Packet } from '../../../src/media/probe-parse.js';
import { car01Info } from '../../helpers/car01-info.js';

const info = car01Info;
const noZscale = { zscale: false };
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('small helpers', () => {
  it('formats seconds without exponents or trailing zeros', () => {
    expect(seconds(1900)).toBe('1.9');
    expect(seconds(0)).toBe('0');
    expect(seconds(10000)).toBe('10');
    expect(seconds(0.0001)).toBe('0');
    expect(seconds(901.667)).toBe('0.901667');
    expect(seconds(-5)).toBe('0');
  });
  it('keeps input paths from looking like options', () => {
    expect(inputPath('/a/-b.mp4')).toBe('/a/-b.mp4');
    expect(inputPath('-b.mp4')).toBe('./-b.mp4');
    expect(inputPath('concat:x|y')).toBe('./concat:x|y');
  });
  it.each([
    [376, 250, 640, 376, 250],
    [1920, 1080, 640, 640, 360],
    [1080, 1920, 640, 360, 640],
    [375, 251, 640, 376, 252],
    [3840, 2160, 1000, 1000, 562],
    [1280, 720, 100, 100, 56],
  ])('scales %ix%i to long side %i -> %ix%i', (w, h, long, ew, eh) => {
    expect(scaledSize(w, h, long)).toEqual({ width: ew, height: eh });
  });
});

describe('chooseSampleMode', () => {
  const settings = { maxKeyframeIntervalMs: 2000, sampleFps: 2 };
  it.each([
    [1000, { kind: 'keyframes' }],
    [2000, { kind: 'keyframes' }],
    [2001, { kind: 'rate', fps: 2 }],
    [null, { kind: 'rate', fps: 2 }],
  ])('keyframe gap %s -> %j', (gap, mode) => {
    expect(chooseSampleMode(info({ maxKeyframeIntervalMs: gap }), settings)).toEqual(mode);
  });
});

describe('probe arguments', () => {
  it('asks for format and streams as JSON', () => {
    expect(probeArgs('/v/car.mp4')).toEqual(['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '/v/car.mp4']);
  });
  it('scans packets of one stream, optionally only the first seconds', () => {
    expect(packetScanArgs('/v/car.mp4', 2, 30)).toEqual([
      '-v', 'error', '-read_intervals', '%+30', '-select_streams', '2',
      '-show_entries', 'packet=pts_time,dts_time,flags', '-print_format', 'json=c=1', '/v/car.mp4',
    ]);
    expect(packetScanArgs('/v/car.mp4', 0)).not.toContain('-read_intervals');
  });
});

describe('colour conversion', () => {
  it.each([
    ['bt709', 376, 250, 'bt709'],
    ['bt470bg', 1920, 1080, 'bt601'],
    ['smpte170m', 720, 480, 'bt601'],
    ['bt2020nc', 3840, 2160, 'bt2020'],
    [null, 1280, 720, 'bt709'],
    [null, 720, 1280, 'bt709'],
    [null, 640, 480, 'bt601'],
  ] as const)('matrix for %s at %ix%i is %s', (space, w, h, matrix) => {
    expect(yuvMatrixOf(info({ colorSpace: space, codedWidth: w, codedHeight: h }))).toBe(matrix);
  });

  it('detects HDR by transfer, and 10-bit BT.2020', () => {
    expect(needsToneMap(info({ colorTransfer: 'smpte2084' }))).toBe(true);
    expect(needsToneMap(info({ colorTransfer: 'arib-std-b67' }))).toBe(true);
    expect(needsToneMap(info({ bitDepth: 10, colorPrimaries: 'bt2020' }))).toBe(true);
    expect(needsToneMap(info({ bitDepth: 10, colorPrimaries: 'bt709', colorSpace: 'bt709' }))).toBe(false);
    expect(needsToneMap(info({ bitDepth: 8, colorPrimaries: 'bt2020' }))).toBe(false);
  });

  it('converts SDR with the stream matrix, scaling with area when a size is given', () => {
    expect(rgbFilters(info({ colorSpace: 'bt709' }), noZscale, { width: 320, height: 212 })).toEqual([
      'scale=320:212:in_color_matrix=bt709:flags=area',
      'format=rgb24',
    ]);
    expect(rgbFilters(info(), noZscale, null)).toEqual(['scale=iw:ih:in_color_matrix=bt601:flags=bicubic+full_chroma_int', 'format=rgb24']);
  });

  it('tone maps PQ with zscale when available', () => {
    const hdr = info({ colorTransfer: 'smpte2084', colorPrimaries: 'bt2020', colorSpace: 'bt2020nc', bitDepth: 10 });
    expect(rgbFilters(hdr, { zscale: true }, { width: 640, height: 360 })).toEqual([
      'zscale=tin=smpte2084:min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100',
      'format=gbrpf32le',
      'zscale=p=bt709',
      'tonemap=tonemap=hable:desat=0',
      'zscale=t=bt709:m=bt709:r=tv',
      'format=yuv420p',
      'scale=640:360:in_color_matrix=bt709:flags=area',
      'format=rgb24',
    ]);
    const hlg = info({ colorTransfer: 'arib-std-b67', colorSpace: null, colorRange: 'pc', bitDepth: 10 });
    expect(rgbFilters(hlg, { zscale: true }, null)[0]).toBe('zscale=tin=arib-std-b67:min=bt2020nc:pin=bt2020:rin=pc:t=linear:npl=100');
  });

  it('falls back to the BT.2020 matrix without zscale', () => {
    const hdr = info({ colorTransfer: 'smpte2084', colorSpace: 'bt2020nc', bitDepth: 10 });
    expect(rgbFilters(hdr, noZscale, null)[0]).toBe('scale=iw:ih:in_color_matrix=bt2020:flags=bicubic+full_chroma_int');
  });
});

describe('samplerArgs', () => {
  it('keyframe mode: skip_frame before -i, passthrough, showinfo last, rgb24 to stdout through a queue', () => {
    const { args, width, height } = samplerArgs('/v/car.mp4', info(), { mode: { kind: 'keyframes' }, longSide: 640 }, noZscale);
    expect([width, height]).toEqual([376, 250]);
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-copyts',
      '-skip_frame', 'nokey',
      '-i', '/v/car.mp4',
      '-map', '0:0', '-an', '-sn', '-dn',
      '-vsync', 'passthrough',
      '-vf', 'scale=376:250:in_color_matrix=bt601:flags=area,format=rgb24,showinfo',
      '-c:v', 'rawvideo', '-pix_fmt', 'rgb24', '-f', 'fifo', '-fifo_format', 'rawvideo', '-queue_size', '64', 'pipe:1',
    ]);
  });

  it('full size beside: one filter graph, showinfo before the split, scaled frames on stdout and full-size ones on fd 3', () => {
    const { args, width, height } = samplerArgs('/v/car.mp4', info(), { mode: { kind: 'keyframes' }, longSide: 188, fullSize: true }, noZscale);
    expect([width, height]).toEqual([188, 126]);
    expect(args).not.toContain('-vf');
    expect(after(args, '-filter_complex')).toBe(
      '[0:0]showinfo,split=2[a][b];[a]scale=188:126:in_color_matrix=bt601:flags=area,format=rgb24[scaled];[b]scale=376:250:in_color_matrix=bt601:flags=area,format=rgb24[full]',
    );
    const outputs = args.slice(args.indexOf('-filter_complex') + 2);
    expect(outputs.filter((a) => a === '-map')).toHaveLength(2);
    expect(after(outputs, '-map')).toBe('[scaled]');
    expect(outputs.indexOf('pipe:1')).toBeLessThan(outputs.lastIndexOf('-map'));
    expect(outputs.at(-1)).toBe('pipe:3');
    expect(outputs.filter((a) => a === 'passthrough')).toHaveLength(2);
  });

  it('rough decoding skips deblocking and unreferenced frames, before -i', () => {
    const { args } = samplerArgs('/v/car.mp4', info(), { mode: { kind: 'rate', fps: 6 }, longSide: 640, roughDecode: true }, noZscale);
    const input = args.indexOf('-i');
    expect(args.slice(0, input)).toEqual(expect.arrayContaining(['-skip_frame', 'noref', '-skip_loop_filter', 'all']));
  });

  it('sizes the output queue to about 64 MiB of frames, 2 to 64 of them', () => {
    const queue = (bytes: number) => after(rawOutputThroughQueue(bytes), '-queue_size');
    expect(queue(376 * 250 * 3)).toBe('64');
    expect(queue(1920 * 1080 * 3)).toBe('10');
    expect(queue(7680 * 4320 * 3)).toBe('2');
  });

  it('rate mode selects one frame per 1/fps slot, before the colour conversion', () => {
    const { args } = samplerArgs('/v/car.mp4', info({ colorSpace: 'bt709' }), { mode: { kind: 'rate', fps: 2 }, longSide: 188 }, noZscale);
    expect(args).not.toContain('-skip_frame');
    expect(after(args, '-vf')).toBe(
      "select='isnan(prev_selected_t)+gte(floor(t*2+1e-6),floor(prev_selected_t*2+1e-6)+1)',scale=188:126:in_color_matrix=bt709:flags=area,format=rgb24,showinfo",
    );
  });

  it('a window seeks before -i from the file start and limits the duration', () => {
    const { args } = samplerArgs('/v/car.mp4', info({ streamStartMs: 50, fileStartMs: 20 }), { mode: { kind: 'keyframes' }, longSide: 640, startMs: 2000, endMs: 5000 }, noZscale);
    const input = args.indexOf('-i');
    expect(args.indexOf('-ss')).toBeLessThan(input);
    expect(after(args, '-ss')).toBe('2.03');
    expect(after(args, '-t')).toBe('3');
    expect(args.indexOf('-skip_frame')).toBeLessThan(input);
  });

  it('only an end: no seek, -t from the start', () => {
    const { args } = samplerArgs('/v/car.mp4', info(), { mode: { kind: 'keyframes' }, longSide: 640, endMs: 4000 }, noZscale);
    expect(args).not.toContain('-ss');
    expect(after(args, '-t')).toBe('4');
  });

  it('maps the chosen stream and sizes rotated video by display size', () => {
    const portrait = info({ width: 1080, height: 1920, codedWidth: 1920, codedHeight: 1080, rotation: 90, streamIndex: 1, colorSpace: 'bt709' });
    const { args, width, height } = samplerArgs('/v/p.mov', portrait, { mode: { kind: 'keyframes' }, longSide: 640 }, noZscale);
    expect([width, height]).toEqual([360, 640]);
    expect(after(args, '-map')).toBe('0:1');
    expect(args).not.toContain('-noautorotate'); // ffmpeg's autorotate makes the frames upright
  });

  it('rejects an empty window', () => {
    expect(() => samplerArgs('/v/car.mp4', info(), { mode: { kind: 'keyframes' }, longSide: 640, startMs: 3000, endMs: 3000 }, noZscale)).toThrow(/empty/);
  });
});

describe('stillArgs', () => {
  it('seeks half a millisecond early to one full-size frame', () => {
    const { args, width, height } = stillArgs('/v/car.mp4', info(), 1900, noZscale);
    expect([width, height]).toEqual([376, 250]);
    expect(args).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
      '-ss', '1.8995',
      '-i', '/v/car.mp4',
      '-map', '0:0', '-an', '-sn', '-dn',
      '-frames:v', '1',
      '-vf', 'scale=iw:ih:in_color_matrix=bt601:flags=bicubic+full_chroma_int,format=rgb24',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
    ]);
  });
  it('does not seek for the first frame', () => {
    expect(stillArgs('/v/car.mp4', info(), 0, noZscale).args).not.toContain('-ss');
  });
  it('reports display size for rotated video', () => {
    const r = stillArgs('/v/car.mp4', info({ width: 250, height: 376, rotation: 90 }), 0, noZscale);
    expect([r.width, r.height]).toEqual([250, 376]);
  });
});

describe('planClip', () => {
  // car01-like: keyframes every second from 0.9 s, dts 0.2 s before pts
  const packets: Packet[] = [0, 0.9, 1.9, 2.9, 3.9, 4.9, 5.9].flatMap((k) => [
    { ptsSec: k, dtsSec: k - 0.2, key: true },
    { ptsSec: k + 0.3, dtsSec: k - 0.1, key: false },
  ]);

  const close = (parts: ClipPart[]) => parts.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(v.toFixed(6))])));

  it('widens a segment to whole GOPs', () => {
    expect(close(planClip([{ startMs: 2000, endMs: 3500 }], packets, 0))).toEqual([{ inpointSec: 1.9, outpointSec: 3.7, durationSec: 2 }]);
  });
  it('keeps a segment that starts and ends on keyframes', () => {
    const [part] = planClip([{ startMs: 1900, endMs: 2900 }], packets, 0);
    expect(part.inpointSec).toBe(1.9);
    expect(part.outpointSec).toBeCloseTo(2.7, 9);
    expect(part.durationSec).toBeCloseTo(1, 9);
  });
  it('runs to the end when no keyframe follows', () => {
    expect(planClip([{ startMs: 6000, endMs: 7000 }], packets, 0)).toEqual([{ inpointSec: 5.9 }]);
  });
  it('merges overlapping and touching segments, sorts them', () => {
    const parts = planClip(
      [
        { startMs: 5000, endMs: 5500 },
        { startMs: 100, endMs: 1000 },
        { startMs: 1500, endMs: 2500 },
      ],
      packets,
      0,
    );
    expect(parts.map((p) => p.inpointSec)).toEqual([0, 4.9]);
    expect(parts[0].outpointSec).toBeCloseTo(2.7, 9);
    expect(parts[1].outpointSec).toBeCloseTo(5.7, 9);
  });
  it('applies the stream start offset', () => {
    const shifted = packets.map((p) => ({ ...p, ptsSec: p.ptsSec + 1, dtsSec: p.dtsSec + 1 }));
    expect(close(planClip([{ startMs: 2000, endMs: 3500 }], shifted, 1000))).toEqual([{ inpointSec: 2.9, outpointSec: 4.7, durationSec: 2 }]);
  });
  it('rejects empty segments and keyframe-less video', () => {
    expect(() => planClip([{ startMs: 5, endMs: 5 }], packets, 0)).toThrow(/empty/);
    expect(() => planClip([{ startMs: 0, endMs: 5 }], [{ ptsSec: 0, dtsSec: 0, key: false }], 0)).toThrow(/keyframes/);
  });
});

describe('concat script and cut arguments', () => {
  it('writes one file entry per part with in/out points and durations', () => {
    const script = concatScript("/v/it's.mp4", [{ inpointSec: 1.9, outpointSec: 3.7, durationSec: 2 }, { inpointSec: 5.9 }]);
    expect(script).toBe(
      "ffconcat version 1.0\nfile '/v/it'\\''s.mp4'\ninpoint 1.9\noutpoint 3.7\nduration 2\nfile '/v/it'\\''s.mp4'\ninpoint 5.9\n",
    );
  });
  it('needs an absolute path without line breaks', () => {
    expect(() => concatScript('v.mp4', [{ inpointSec: 0 }])).toThrow(/absolute/);
    expect(() => concatScript('/v/a\nb.mp4', [{ inpointSec: 0 }])).toThrow(/line breaks/);
  });
  it('stream-copies into faststart MP4 without shifting timestamps', () => {
    expect(cutClipArgs('/t/list', '/t/out.mp4', { streamIndex: 0, codec: 'h264' })).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
      '-f', 'concat', '-safe', '0', '-i', '/t/list',
      '-map', '0:0', '-map', '0:a?',
      '-c', 'copy',
      '-movflags', '+faststart',
      '-f', 'mp4', '-y', '/t/out.mp4',
    ]);
    expect(cutClipArgs('/t/list', '/t/out.mp4', { streamIndex: 1, codec: 'hevc' })).toContain('hvc1');
  });
});

describe('the blurred clip', () => {
  const piece = { fromMs: 500, toMs: 1000, width: 151, height: 41, from: { x: 100, y: 300 }, to: { x: 200, y: 300 }, sigma: 9 };

  it('sizes the clip by its shorter side, never upscaled, even', () => {
    expect(clipSize(1920, 1080, 720)).toEqual({ width: 1280, height: 720 });
    expect(clipSize(1080, 1920, 720)).toEqual({ width: 720, height: 1280 });
    expect(clipSize(376, 250, 720)).toEqual({ width: 376, height: 250 });
    expect(clipSize(1279, 719, 480)).toEqual({ width: 854, height: 480 });
  });

  it("brings an HDR clip to 8-bit BT.709 first, as the photos are; an SDR clip as it is", () => {
    const sdr = { colorTransfer: 'bt709', colorPrimaries: 'bt709', colorSpace: 'bt709', colorRange: 'tv', bitDepth: 8 };
    const hlg = { colorTransfer: 'arib-std-b67', colorPrimaries: 'bt2020', colorSpace: 'bt2020nc', colorRange: 'tv', bitDepth: 10 };
    expect(clipColourFilters(sdr, { zscale: true })).toEqual([]);
    const toneMapped = clipColourFilters(hlg, { zscale: true });
    expect(toneMapped[0]).toBe('zscale=tin=arib-std-b67:min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100');
    expect(toneMapped.at(-1)).toBe('format=yuv420p');
    expect(clipColourFilters(hlg, { zscale: false })).toEqual(['scale=iw:ih:in_color_matrix=bt2020:out_color_matrix=bt709']);
    expect(blurFilterGraph([], { width: 1280, height: 720 }, 0, ['a', 'b'])).toBe('[0:v]a,b,scale=1280:720:flags=bicubic,setsar=1,format=yuv420p[v]\n');
  });

  it('scales only when there is nothing to blur', () => {
    expect(blurFilterGraph([], { width: 1280, height: 720 }, 0)).toBe('[0:v]scale=1280:720:flags=bicubic,setsar=1,format=yuv420p[v]\n');
  });

  it('crops, blurs and lays back each piece while it lasts, moving on the filter clock and kept in the frame', () => {
    // Two lanes: the second piece overlaps the first in time.
    const graph = blurFilterGraph([piece, { ...piece, fromMs: 800, toMs: 1200, from: { x: 1200, y: 700 }, to: { x: 1200, y: 700 } }], { width: 1280, height: 720 }, 40);
    const lines = graph.trim().split('\n');
    expect(lines[0]).toBe('[0:v]scale=1280:720:flags=bicubic,setsar=1,format=yuv420p,split=3[base][p0][p1];');
    // Even sizes; the position is a straight line from 0.54 s to 1.04 s (display ms + 40 ms offset).
    const x = `'clip(100+100*clip((t-0.54)/0.5,0,1),0,1128)'`;
    expect(lines[1]).toBe(`[p0]crop=w=152:h=42:x=${x}:y='clip(300,0,678)',gblur=sigma=9:enable='between(t,0.54,1.04)'[b0];`);
    expect(lines[2]).toBe(`[base][b0]overlay=x=${x}:y='clip(300,0,678)':eof_action=pass:enable='between(t,0.54,1.04)'[o0];`);
    // A piece reaching past the frame's edge is kept inside it; the last one ends the graph at [v].
    expect(lines[4]).toBe(`[o0][b1]overlay=x='clip(1200,0,1128)':y='clip(700,0,678)':eof_action=pass:enable='between(t,0.84,1.24)'[v]`);
  });

  it('lays pieces that follow each other through one branch, its rectangle moving from piece to piece', () => {
    const next = { ...piece, fromMs: 1000, toMs: 1500, from: { x: 200, y: 300 }, to: { x: 260, y: 310 } };
    const later = { ...piece, fromMs: 2000, toMs: 2500, from: { x: 400, y: 320 }, to: { x: 400, y: 320 } };
    const lines = blurFilterGraph([later, piece, next], { width: 1280, height: 720 }, 0).trim().split('\n');
    expect(lines[0]).toBe('[0:v]scale=1280:720:flags=bicubic,setsar=1,format=yuv420p,split=2[base][p0];');
    // The piece whose time it is gives the position (a tree of if on t); the blur is on while any lasts.
    const x = `'if(lt(t,1),clip(100+100*clip((t-0.5)/0.5,0,1),0,1128),if(lt(t,2),clip(200+60*clip((t-1)/0.5,0,1),0,1128),clip(400,0,1128)))'`;
    expect(lines[2]).toBe(`[base][b0]overlay=x=${x}:y='if(lt(t,1),clip(300,0,678),if(lt(t,2),clip(300+10*clip((t-1)/0.5,0,1),0,678),clip(320,0,678)))':eof_action=pass:enable='between(t,0.5,1.5)+between(t,2,2.5)'[v]`);
  });

  it('groups pieces into lanes of one size and sigma, never more than a quarter larger than a piece', () => {
    const small = { ...piece, width: 100, height: 40 };
    const lanes = blurLanes([
      small,
      { ...small, fromMs: 1000, toMs: 1500, width: 120, height: 44 },
      // Overlaps the first two in time: a lane of its own.
      { ...small, fromMs: 700, toMs: 1200 },
      // Follows, but too large for the first lane (160 > 1.25 x 100).
      { ...small, fromMs: 1500, toMs: 2000, width: 160 },
      // Follows, but blurred harder.
      { ...small, fromMs: 2000, toMs: 2500, sigma: 20 },
    ]);
    expect(lanes.map((l) => l.pieces.map((p) => p.fromMs))).toEqual([[500, 1000], [700], [1500], [2000]]);
    // The lane takes its largest piece's size; a smaller piece is centred in it (more blurred, never less).
    expect([lanes[0].width, lanes[0].height, lanes[0].sigma]).toEqual([120, 44, 9]);
    expect(lanes[0].pieces[0]).toMatchObject({ width: 120, height: 44, from: { x: 90, y: 298 }, to: { x: 190, y: 298 } });
    expect(lanes[3].sigma).toBe(20);
  });

  it('encodes H.264 with the index up front, audio as AAC when there is any', () => {
    const args = encodeClipArgs('/v/cut.mp4', '/v/graph.txt', '/v/clip.mp4', { crf: 23, preset: 'veryfast' });
    expect(after(args, '-filter_complex_script')).toBe('/v/graph.txt');
    expect(args.join(' ')).toContain('-map [v] -map 0:a? -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -c:a aac');
    expect(after(args, '-movflags')).toBe('+faststart');
    expect(() => encodeClipArgs('/a', '/b', '/c', { crf: 23, preset: 'fast -y' })).toThrow(/preset/);
  });
});
