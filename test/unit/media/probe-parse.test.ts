import { describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { car01Info } from '../../helpers/car01-info.js';
import {
  bitDepthOf,
  maxKeyframeIntervalMs,
  packetsOf,
  parseRate,
  pickVideoStream,
  rotationOf,
  startsLikeMp4,
  videoInfoFromProbe,
  type ProbeOutput,
  type ProbeStream,
} from '../../../src/media/probe-parse.js';

const car01: ProbeOutput = {
  streams: [
    {
      index: 0,
      codec_type: 'video',
      codec_name: 'h264',
      width: 376,
      height: 250,
      pix_fmt: 'yuv420p',
      bits_per_raw_sample: '8',
      r_frame_rate: '10/1',
      avg_frame_rate: '10/1',
      start_time: '0.000000',
      duration: '11.800000',
      nb_frames: '118',
      color_space: 'bt470bg',
      color_range: 'tv',
      tags: { language: 'und' },
    },
  ],
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '11.800000', start_time: '0.000000' },
};
const keyframes = { packets: [0, 0.9, 1.9].flatMap((k) => [{ pts_time: String(k), flags: 'K_' }, { pts_time: String(k + 0.4), flags: '__' }]) };
const withVideo = (over: Partial<ProbeStream>, format: ProbeOutput['format'] = car01.format): ProbeOutput => ({
  streams: [{ ...car01.streams![0], ...over }],
  format,
});
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error: unknown) {
    return isLotreelError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

describe('videoInfoFromProbe', () => {
  it('reads car01', () => {
    expect(videoInfoFromProbe('/m/car01.mp4', 626677, car01, keyframes)).toEqual(car01Info({ file: '/m/car01.mp4', sizeBytes: 626677 }));
  });

  it('swaps display size for 90/270 rotation', () => {
    const portrait = videoInfoFromProbe('/m/p.mov', 1, withVideo({ width: 1920, height: 1080, side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] }), null);
    expect(portrait).toMatchObject({ width: 1080, height: 1920, codedWidth: 1920, codedHeight: 1080, rotation: 90, maxKeyframeIntervalMs: null });
    const upside = videoInfoFromProbe('/m/p.mov', 1, withVideo({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] }), null);
    expect(upside).toMatchObject({ width: 376, height: 250, rotation: 180 });
  });

  it('flags variable frame rate, keeps the average as fps', () => {
    const vfr = videoInfoFromProbe('/m/v.mp4', 1, withVideo({ r_frame_rate: '30/1', avg_frame_rate: '1769/60' }), null);
    expect(vfr.variableFrameRate).toBe(true);
    expect(vfr.fps).toBeCloseTo(29.483, 2);
    const ntsc = videoInfoFromProbe('/m/v.mp4', 1, withVideo({ r_frame_rate: '30000/1001', avg_frame_rate: '30000/1001' }), null);
    expect(ntsc).toMatchObject({ variableFrameRate: false });
    expect(ntsc.fps).toBeCloseTo(29.97, 2);
  });

  it('picks the first real video stream, skipping cover art, and notices audio', () => {
    const probe: ProbeOutput = {
      streams: [
        { index: 0, codec_type: 'audio', codec_name: 'aac' },
        { index: 1, codec_type: 'video', codec_name: 'mjpeg', width: 300, height: 300, disposition: { attached_pic: 1 } },
        { ...car01.streams![0], index: 2 },
      ],
      format: car01.format,
    };
    expect(videoInfoFromProbe('/m/a.mp4', 1, probe, null)).toMatchObject({ streamIndex: 2, hasAudio: true, codec: 'h264' });
  });

  it('reads HDR colour tags, drops "unknown"', () => {
    const hdr = videoInfoFromProbe(
      '/m/h.mov',
      1,
      withVideo({ codec_name: 'hevc', pix_fmt: 'yuv420p10le', bits_per_raw_sample: undefined, color_transfer: 'smpte2084', color_primaries: 'bt2020', color_space: 'bt2020nc' }),
      null,
    );
    expect(hdr).toMatchObject({ bitDepth: 10, colorTransfer: 'smpte2084', colorPrimaries: 'bt2020', colorSpace: 'bt2020nc' });
    expect(videoInfoFromProbe('/m/u.mp4', 1, withVideo({ color_space: 'unknown', color_range: undefined }), null)).toMatchObject({ colorSpace: null, colorRange: null });
  });

  it('keeps fractional stream and file starts for seeking', () => {
    const info = videoInfoFromProbe('/m/s.mp4', 1, withVideo({ start_time: '0.021333' }, { ...car01.format, start_time: '0.000000' }), null);
    expect(info.streamStartMs).toBeCloseTo(21.333, 6);
    expect(info.fileStartMs).toBe(0);
  });

  it('falls back to the format duration and to r_frame_rate', () => {
    const info = videoInfoFromProbe('/m/k.mkv', 1, withVideo({ duration: undefined, avg_frame_rate: '0/0', nb_frames: undefined }, { format_name: 'matroska,webm', duration: '5.5' }), null);
    expect(info).toMatchObject({ durationMs: 5500, fps: 10 });
  });
});

describe('what is not a usable video', () => {
  it.each<[string, ProbeOutput, string]>([
    ['audio only', { streams: [{ index: 0, codec_type: 'audio' }], format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '1' } }, 'INPUT_NOT_VIDEO: x.mp4 has no video stream (audio only)'],
    ['nothing at all', { streams: [], format: {} }, 'INPUT_NOT_VIDEO: x.mp4 has no video stream'],
    ['a PNG', { streams: [{ index: 0, codec_type: 'video', codec_name: 'png', width: 10, height: 10 }], format: { format_name: 'png_pipe' } }, 'INPUT_NOT_VIDEO: x.mp4 is an image, not a video'],
    ['a JPEG', { streams: [{ index: 0, codec_type: 'video', codec_name: 'mjpeg', width: 10, height: 10, duration: '0.04' }], format: { format_name: 'image2', duration: '0.04' } }, 'INPUT_NOT_VIDEO: x.mp4 is an image, not a video'],
    ['a one-frame mp4', withVideo({ nb_frames: '1', duration: '0.1' }), 'INPUT_NOT_VIDEO: x.mp4 is an image, not a video'],
    ['zero duration', withVideo({ duration: '0', nb_frames: undefined }, { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '0' }), 'INPUT_CORRUPT: x.mp4 has a video stream but no frames (zero duration)'],
    ['no frames', withVideo({ nb_frames: '0' }), 'INPUT_CORRUPT: x.mp4 has a video stream but no frames (zero duration)'],
  ])('%s', (_name, probe, expected) => {
    expect(code(() => videoInfoFromProbe('/m/x.mp4', 1, probe, null))).toBe(expected);
  });

  it('pickVideoStream fails the same way before any packet scan', () => {
    expect(code(() => pickVideoStream({ streams: [{ index: 0, codec_type: 'audio' }] }, '/a/s.m4a'))).toMatch(/^INPUT_NOT_VIDEO/);
  });
});

describe('pieces', () => {
  it.each([
    ['10/1', 10],
    ['30000/1001', 30000 / 1001],
    ['0/0', null],
    ['N/A', null],
    [undefined, null],
  ])('parseRate(%s)', (rate, value) => {
    expect(parseRate(rate)).toBe(value);
  });

  it.each<[ProbeStream['side_data_list'], Record<string, string> | undefined, number]>([
    [undefined, undefined, 0],
    [[{ side_data_type: 'Display Matrix', rotation: -90 }], undefined, 90],
    [[{ side_data_type: 'Display Matrix', rotation: 90 }], undefined, 270],
    [[{ side_data_type: 'Display Matrix', rotation: -180 }], undefined, 180],
    [[{ side_data_type: 'Display Matrix', rotation: 180 }], undefined, 180],
    [[{ side_data_type: 'Display Matrix', rotation: '-90.00' }], undefined, 90],
    [[{ side_data_type: 'Display Matrix', rotation: 0 }], undefined, 0],
    [undefined, { rotate: '90' }, 90],
    [undefined, { rotate: '270' }, 270],
    [[{ side_data_type: 'Display Matrix', rotation: -90 }], { rotate: '90' }, 90],
    [[{ side_data_type: 'Other' }], undefined, 0],
  ])('rotation from side data %j / tags %j is %i clockwise', (side, tags, expected) => {
    expect(rotationOf({ index: 0, side_data_list: side, tags })).toBe(expected);
  });

  it.each<[Partial<ProbeStream>, number]>([
    [{ bits_per_raw_sample: '8', pix_fmt: 'yuv420p' }, 8],
    [{ pix_fmt: 'yuv420p10le' }, 10],
    [{ pix_fmt: 'p010le' }, 10],
    [{ pix_fmt: 'yuv422p12be' }, 12],
    [{ pix_fmt: 'gray10le' }, 10],
    [{ pix_fmt: 'yuvj420p' }, 8],
    [{ bits_per_raw_sample: 'N/A', pix_fmt: 'yuv420p10le' }, 10],
  ])('bit depth of %j is %i', (stream, depth) => {
    expect(bitDepthOf({ index: 0, ...stream })).toBe(depth);
  });

  it('measures keyframe gaps, including the open gap after the last keyframe', () => {
    const p = (pts: number, key: boolean) => ({ ptsSec: pts, dtsSec: pts, key });
    expect(maxKeyframeIntervalMs([p(0, true), p(0.4, false), p(0.9, true), p(1.2, false), p(1.9, true), p(2.7, false)])).toBe(1000);
    expect(maxKeyframeIntervalMs([p(0, true), p(1, false), p(4.5, false)])).toBe(4500);
    expect(maxKeyframeIntervalMs([p(0, false)])).toBeNull();
    expect(maxKeyframeIntervalMs([])).toBeNull();
  });

  it('tells an MP4 header from garbage', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(startsLikeMp4(bytes('\0\0\0\x20ftypisom'))).toBe(true);
    expect(startsLikeMp4(bytes('\0\0\0\x08wide'))).toBe(true);
    expect(startsLikeMp4(bytes('{"hello":"world"}'))).toBe(false);
    expect(startsLikeMp4(bytes('abc'))).toBe(false);
  });

  it('reads packets, skipping those without pts', () => {
    expect(packetsOf({ packets: [{ pts_time: '0.9', dts_time: '0.7', flags: 'K_' }, { pts_time: 'N/A', flags: '__' }, { pts_time: '1.1', flags: '__' }] })).toEqual([
      { ptsSec: 0.9, dtsSec: 0.7, key: true },
      { ptsSec: 1.1, dtsSec: 1.1, key: false },
    ]);
  });
});
