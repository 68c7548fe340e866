import { describe, expect, it } from 'vitest';
import { classifyFailure, isDiagnosticLine, looksTruncated, parseShowinfoLine, showinfoTimestampMs, summariseStderr } from '../../../src/media/ffmpeg-output.js';

describe('showinfo lines', () => {
  it.each([
    ['[Parsed_showinfo_2 @ 0x55d4baacc240] config in time_base: 1/10240, frame_rate: 10/1', { kind: 'timebase', num: 1, den: 10240 }],
    [
      '[Parsed_showinfo_2 @ 0x55d4baacc240] n:   0 pts:  19456 pts_time:1.9     pos:   104302 fmt:rgb24 sar:124/125 s:188x124 i:P iskey:1 type:I checksum:5A0F06AA',
      { kind: 'frame', n: 0, pts: 19456, ptsTimeSec: 1.9 },
    ],
    ['[Parsed_showinfo_7 @ 0x3be91f40] n:  12 pts:     -2 pts_time:-0.002 pos: 1', { kind: 'frame', n: 12, pts: -2, ptsTimeSec: -0.002 }],
    ['[Parsed_showinfo_2 @ 0x55d4baacc240] config out time_base: 0/0, frame_rate: 0/0', null],
    ['[Parsed_showinfo_2 @ 0x55d4baacc240] color_range:pc color_space:gbr color_primaries:unknown color_trc:unknown', null],
    ['[Parsed_showinfo_1 @ 0x555ed80d4bc0] UUID=dc45e9bd-e6d9-48b7-962c-d820d923eeef', null],
    ['[h264 @ 0x1] n:   0 pts:  1 pts_time:1', null],
    ['frame=    5 fps=0.0 q=-0.0 size=1377kB', null],
  ])('%s', (line, event) => {
    expect(parseShowinfoLine(line)).toEqual(event);
  });

  it('turns pts into display ms with the exact time base, pts_time only as fallback', () => {
    expect(showinfoTimestampMs({ pts: 19456, ptsTimeSec: 1.9 }, { num: 1, den: 10240 }, 0)).toBe(1900);
    expect(showinfoTimestampMs({ pts: 1234567891, ptsTimeSec: 13717.4 }, { num: 1, den: 90000 }, 0)).toBe(13717421);
    expect(showinfoTimestampMs({ pts: 0, ptsTimeSec: 1.9 }, null, 0)).toBe(1900);
    expect(showinfoTimestampMs({ pts: 1001, ptsTimeSec: 0 }, { num: 1, den: 30000 }, 0)).toBe(33);
    expect(showinfoTimestampMs({ pts: 2002, ptsTimeSec: 0 }, { num: 1, den: 30000 }, 0)).toBe(67);
    expect(showinfoTimestampMs({ pts: 1100, ptsTimeSec: 0 }, { num: 1, den: 1000 }, 100)).toBe(1000);
    expect(showinfoTimestampMs({ pts: 50, ptsTimeSec: 0 }, { num: 1, den: 1000 }, 100)).toBe(0);
  });
});

describe('failures', () => {
  it.each<[string[], 'open' | 'decode' | 'mux', string]>([
    [['t.txt: Invalid data found when processing input'], 'open', 'INPUT_NOT_VIDEO'],
    [['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55f4] moov atom not found', 'trunc.mp4: Invalid data found when processing input'], 'open', 'INPUT_CORRUPT'],
    [['x.mp4: No such file or directory'], 'open', 'INPUT_MISSING'],
    [['[h264 @ 0x1] Invalid NAL unit size (3709 > 3203).', 'Error while decoding stream #0:0: Invalid data found when processing input'], 'decode', 'INPUT_CORRUPT'],
    [['Unrecognized option \'fps_mode\'.', 'Error splitting the argument list: Option not found'], 'decode', 'FFMPEG_FAILED'],
    [['[mp4 @ 0x1] Could not find tag for codec vp8 in stream #0, codec not currently supported in container'], 'mux', 'FFMPEG_FAILED'],
  ])('%j while %s -> %s', (lines, stage, code) => {
    expect(classifyFailure(lines, stage)).toBe(code);
  });

  it('notices truncation', () => {
    expect(looksTruncated(['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x555ed80ada40] stream 0, offset 0x3d528: partial file'])).toBe(true);
    expect(looksTruncated(['[h264 @ 0x1] error while decoding MB 3 4'])).toBe(false);
  });

  it('summarises stderr in one clean line', () => {
    expect(
      summariseStderr([
        'Input #0, mov,mp4,m4a,3gp,3g2,mj2, from \'a.mp4\':',
        '  Duration: 00:00:11.80, start: 0.000000, bitrate: 424 kb/s',
        '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x555ed80ada40] moov atom not found',
        'some trailing line',
      ]),
    ).toBe('moov atom not found');
    expect(summariseStderr([])).toBe('no message');
    expect(summariseStderr(['x'.repeat(500)])).toHaveLength(200);
    expect(summariseStderr(['line one\twith   spaces'])).toBe('line one with spaces');
  });

  it('keeps diagnostics, drops showinfo and the banner', () => {
    expect(isDiagnosticLine('[Parsed_showinfo_2 @ 0x5] n:   0 pts: 0')).toBe(false);
    expect(isDiagnosticLine('    major_brand     : isom')).toBe(false);
    expect(isDiagnosticLine('  Stream #0:0[0x1](und): Video: h264')).toBe(false);
    expect(isDiagnosticLine('')).toBe(false);
    expect(isDiagnosticLine('[h264 @ 0x1] Invalid NAL unit size')).toBe(true);
  });
});
