import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import type { ListingFacts } from '../../../src/listing/listing-facts.js';
import { captionLines, narrationScript, scheduleCaptions, wrapCaption } from '../../../src/reel/reel-captions.js';
import { crossfades, filterPath, reelCommandArgs } from '../../../src/reel/reel-graph.js';
import { parseReelFormats, photoCanvas, planReel, shotAt, windowAt, type PhotoShot, type ReelPhoto } from '../../../src/reel/reel-plan.js';
import { motionSamples, steadiestWindows } from '../../../src/reel/steady.js';
import { parseCommand } from '../../../src/cli/args.js';

const settings = DEFAULT_SETTINGS.reel;
const wide = (n: number): ReelPhoto[] =>
  Array.from({ length: n }, (_, k) => ({ file: `/p/${k}.jpg`, width: 1920, height: 1080, carBox: { x1: 200 + k * 10, y1: 300, x2: 1700, y2: 900 } }));
const facts = (over: Partial<ListingFacts> = {}): ListingFacts => ({
  make: 'Ford', model: 'Focus', year: 2017, trim: null, bodyType: null, colour: null, mileage: null, engine: null, fuel: null, drive: null, transmission: null, interiorColour: null,
  features: [], photoCount: 3, videoSeconds: 10, viewsSeen: [], sources: {}, ...over,
});

describe('planReel', () => {
  it('keeps every reel between 12 and 30 s, the cover first, photos past 30 s left out', () => {
    for (const n of [1, 2, 3, 5, 8, 12, 30]) {
      for (const clip of [null, { file: '/c.mp4', durationMs: 20000, width: 1920, height: 1080 }]) {
        const plan = planReel({ format: 'vertical', photos: wide(n), clip }, settings);
        expect(plan.durationMs).toBeGreaterThanOrEqual(12000);
        expect(plan.durationMs).toBeLessThanOrEqual(30000);
        expect(plan.shots[0]).toMatchObject({ kind: 'photo', photo: 0, startMs: 0 });
        const last = plan.shots.at(-1)!;
        expect(last.startMs + last.durationMs).toBe(plan.durationMs);
        if (clip) expect(plan.shots.filter((s) => s.kind === 'clip')).toHaveLength(2);
      }
    }
    expect(planReel({ format: 'vertical', photos: wide(30) }, settings).photos.length).toBeLessThan(30);
  });

  it("never cuts the car's box off in a vertical frame, at any moment of any shot", () => {
    const photos: ReelPhoto[] = [
      ...wide(3),
      { file: '/edge.jpg', width: 1920, height: 1080, carBox: { x1: 0, y1: 100, x2: 600, y2: 700 } },
      { file: '/tall.jpg', width: 1080, height: 1920, carBox: { x1: 100, y1: 600, x2: 1000, y2: 1300 } },
    ];
    for (const format of ['vertical', 'horizontal', 'square'] as const) {
      const plan = planReel({ format, photos }, settings);
      for (const shot of plan.shots.filter((s): s is PhotoShot => s.kind === 'photo')) {
        const box = photos[shot.photo].carBox!;
        expect(shot.canvas.width / shot.canvas.height).toBeCloseTo(plan.width / plan.height, 6);
        for (let p = 0; p <= 1; p += 0.125) {
          const w = windowAt(shot, p);
          expect(w.width / w.height).toBeCloseTo(plan.width / plan.height, 6);
          expect(shot.canvas.x + w.x).toBeLessThanOrEqual(box.x1 + 1e-6);
          expect(shot.canvas.y + w.y).toBeLessThanOrEqual(box.y1 + 1e-6);
          expect(shot.canvas.x + w.x + w.width).toBeGreaterThanOrEqual(box.x2 - 1e-6);
          expect(shot.canvas.y + w.y + w.height).toBeGreaterThanOrEqual(box.y2 - 1e-6);
        }
      }
    }
  });

  it('uses the largest crop inside the photo when the car fits in it, and reaches outside only when it must', () => {
    const small = photoCanvas({ file: '', width: 1920, height: 1080, carBox: { x1: 900, y1: 500, x2: 1100, y2: 700 } }, 9 / 16, settings);
    expect(small.height).toBeCloseTo(1080);
    expect(small.x).toBeGreaterThanOrEqual(0);
    expect(small.x + small.width).toBeLessThanOrEqual(1920);
    const long = photoCanvas({ file: '', width: 1920, height: 1080, carBox: { x1: 100, y1: 400, x2: 1800, y2: 800 } }, 9 / 16, settings);
    expect(long.width).toBeGreaterThan(1700);
    expect(long.height).toBeGreaterThan(1080); // a blurred copy fills above and below
  });

  it('finds the shot on screen, rejects unknown formats and empty reels', () => {
    const plan = planReel({ format: 'square', photos: wide(4) }, settings);
    expect(shotAt(plan, 0)).toBe(plan.shots[0]);
    expect(shotAt(plan, plan.shots[2].startMs + 1)).toBe(plan.shots[2]);
    expect(shotAt(plan, plan.durationMs)).toBeNull();
    expect(parseReelFormats('vertical, horizontal,vertical')).toEqual(['vertical', 'horizontal']);
    expect(() => parseReelFormats('portrait')).toThrow(/unknown reel format "portrait"/);
    expect(() => planReel({ format: 'vertical', photos: [] }, settings)).toThrow(/at least one photo/);
  });
});

describe('captions and narration', () => {
  it('shows year make model, mileage and stated features, never a price or marketing line', () => {
    const lines = captionLines({ title: 'Ford Focus $9,999 OBO', facts: facts({ mileage: '45000 mi', features: ['Heated seats', 'Best deal in town', 'Financing available', 'Sunroof', 'Tow hitch'] }) });
    expect(lines).toEqual(['2017 Ford Focus', '45,000 mi', 'Heated seats', 'Sunroof', 'Tow hitch']);
  });

  it("falls back to the seller's title without make and model, unless it talks price", () => {
    expect(captionLines({ title: 'Blue hatchback', facts: facts({ make: null, model: null, year: null }) })).toEqual(['Blue hatchback']);
    expect(captionLines({ title: 'Hatchback, only $4500', facts: facts({ make: null, model: null, year: null }) })).toEqual([]);
  });

  it('schedules each caption inside its own shot, clear of transitions, and wraps long ones', () => {
    const plan = planReel({ format: 'vertical', photos: wide(5) }, settings);
    const captions = scheduleCaptions(['a', 'b', 'c'], plan);
    captions.forEach((c, k) => {
      expect(c.startMs).toBeGreaterThanOrEqual(plan.shots[k].startMs);
      expect(c.endMs).toBeLessThanOrEqual(plan.shots[k].startMs + plan.shots[k].durationMs - plan.transitionMs);
    });
    expect(wrapCaption('2019 Chevrolet Silverado 1500 High Country', 16)).toEqual(['2019 Chevrolet', 'Silverado 1500', 'High Country']);
  });

  it('speaks the captions only when the script keeps to the facts', () => {
    expect(narrationScript(['2017 Ford Focus', '45,000 mi'], facts({ mileage: '45000 mi' }))).toBe('2017 Ford Focus. 45,000 mi.');
    expect(narrationScript(['2017 Ford Focus', '60,000 mi'], facts({ mileage: '45000 mi' }))).toBeNull();
  });
});

describe('the ffmpeg command', () => {
  it('is one filter graph: a zoom per photo, crossfades, captions from files, a silent AAC track, faststart', () => {
    const plan = planReel({ format: 'vertical', photos: wide(3), clip: { file: '/clip.mp4', durationMs: 10000, width: 1920, height: 1080 } }, settings);
    const args = reelCommandArgs({ plan, captions: [{ text: 'x', startMs: 300, endMs: 2500, textFile: '/tmp/c:0.txt', lines: 1 }], fontFile: '/f/inter.woff', audio: {}, outPath: '/out/r.mp4', support: { xfade: true }, settings });
    expect(args.filter((a) => a === '-filter_complex')).toHaveLength(1);
    const graph = args[args.indexOf('-filter_complex') + 1];
    expect(graph.match(/zoompan=/g)).toHaveLength(3);
    expect(graph.match(/xfade=/g)).toHaveLength(plan.shots.length - 1);
    expect(graph).toContain("textfile='/tmp/c\\\\:0.txt'");
    expect(graph).toContain('anullsrc=r=48000');
    expect(args.join(' ')).toContain('-c:v libx264');
    expect(args.join(' ')).toContain('-c:a aac');
    expect(args.join(' ')).toContain('-movflags +faststart');
    expect(args.at(-1)).toBe('/out/r.mp4');
    expect(filterPath("/a b/it's;[x]")).toBe("/a b/it\\\\\\'s\\;\\[x\\]");
  });

  it('ducks the music under the narration when both are given', () => {
    const plan = planReel({ format: 'square', photos: wide(2) }, settings);
    const args = reelCommandArgs({ plan, captions: [], fontFile: '/f', audio: { narration: '/n.wav', music: '/m.mp3' }, outPath: '/o.mp4', support: { xfade: true }, settings });
    const graph = args[args.indexOf('-filter_complex') + 1];
    expect(graph).toContain('sidechaincompress');
    expect(args.join(' ')).toContain('-stream_loop -1 -i /m.mp3');
    // Options the 2018 static build lacks (adelay all=1, amix normalize=0) are not used.
    expect(graph).not.toMatch(/all=1|normalize=/);
  });

  it('crossfades with xfade, or without it from a black base, shifted alpha-faded shots and overlays, at the same times', () => {
    const plan = planReel({ format: 'square', photos: wide(3) }, settings);
    const labels = ['s0', 's1', 's2'];
    const t = settings.transitionMs / 1000;
    const starts = plan.shots.map((s) => s.startMs / 1000);
    expect(crossfades(plan, labels, { xfade: true })).toEqual([
      `[s0][s1]xfade=transition=fade:duration=${t}:offset=${starts[1]}[x1]`,
      `[x1][s2]xfade=transition=fade:duration=${t}:offset=${starts[2]}[xf]`,
    ]);
    const fallback = crossfades(plan, labels, { xfade: false });
    expect(fallback.join(';')).not.toContain('xfade');
    expect(fallback).toEqual([
      `color=c=black:s=1080x1080:r=30:d=${plan.durationMs / 1000},format=yuv420p,settb=1/30[base]`,
      '[base][s0]overlay=eof_action=pass:format=yuv420[x0]',
      `[s1]format=yuva420p,fade=t=in:st=0:d=${t}:alpha=1,setpts=PTS+${starts[1]}/TB[s1f]`,
      '[x0][s1f]overlay=eof_action=pass:format=yuv420[x1]',
      `[s2]format=yuva420p,fade=t=in:st=0:d=${t}:alpha=1,setpts=PTS+${starts[2]}/TB[s2f]`,
      '[x1][s2f]overlay=eof_action=pass:format=yuv420[xf]',
    ]);
    // One shot: nothing to join, on either build; the whole command then reads the shot itself.
    expect(crossfades(planReel({ format: 'square', photos: wide(1) }, settings), ['s0'], { xfade: false })).toEqual([]);
    const one = reelCommandArgs({ plan: planReel({ format: 'square', photos: wide(1) }, settings), captions: [], fontFile: '/f', audio: {}, outPath: '/o.mp4', support: { xfade: false }, settings });
    expect(one[one.indexOf('-filter_complex') + 1]).toContain('[s0]trim=');
  });
});

describe('steadiest moments', () => {
  it('picks the calm stretches, apart from each other', () => {
    const samples = Array.from({ length: 100 }, (_, k) => ({ timestampMs: k * 100, change: (k >= 20 && k < 50) || k >= 70 ? 1 : 20 }));
    // The last half second is avoided (the dealer leaving): the second window ends there.
    expect(steadiestWindows(samples, 10000, 3000, 2)).toEqual([2000, 6500]);
    expect(steadiestWindows(samples, 2000, 3000, 2)).toEqual([]);
  });

  it('measures change between consecutive grey frames', () => {
    const frames = new Uint8Array([0, 0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(motionSamples(frames, 2, 2, 100)).toEqual([{ timestampMs: 100, change: 10 }, { timestampMs: 200, change: 0 }]);
  });
});

describe('lotreel reel arguments', () => {
  it('parses the photo, draft and process forms and says what is wrong', () => {
    expect(parseCommand(['reel', 'a.jpg', 'b.jpg', '--title', 'Ford Focus', '--facts', 'f.json'])).toMatchObject({ kind: 'reel-photos', photos: ['a.jpg', 'b.jpg'], format: 'vertical', facts: 'f.json' });
    expect(parseCommand(['reel', 'a.jpg', '--title', 't', '--format', 'square', '--out', 'x.mp4'])).toMatchObject({ kind: 'reel-photos', format: 'square', out: 'x.mp4' });
    const id = '6F1C2A8E-1B7D-4C55-9A0E-2D3B4C5D6E7F';
    expect(parseCommand(['reel', '--draft', id, '--format', 'horizontal', '--json'])).toMatchObject({ kind: 'reel-draft', draft: id.toLowerCase(), format: 'horizontal', json: true });
    expect(() => parseCommand(['reel', '--draft', 'abc'])).toThrow(/--draft takes a stored draft's id \(a UUID\)/);
    expect(() => parseCommand(['reel', 'a.jpg', '--draft', id])).toThrow(/takes no photos/);
    expect(parseCommand(['reel', '--draft', id, '--from', 'lot'])).toMatchObject({ kind: 'reel-draft', from: 'lot' });
    expect(() => parseCommand(['reel', 'a.jpg', '--title', 'A car', '--from', 'lot'])).toThrow(/--from .* goes with reel --draft ID/);
    expect(parseCommand(['process', 'v.mp4', '--reel', 'vertical,horizontal'])).toMatchObject({ kind: 'process', reels: ['vertical', 'horizontal'] });
    expect(() => parseCommand(['reel', 'a.jpg'])).toThrow(/--title/);
    expect(() => parseCommand(['reel', 'a.jpg', '--title', 't', '--format', 'vertical,square'])).toThrow(/one --format/);
    expect(() => parseCommand(['process', 'v.mp4', '--reel', 'tall'])).toThrow(/unknown reel format/);
  });
});
