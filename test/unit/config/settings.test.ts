import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadConfig, mergeSettings, parseSettings } from '../../../src/config/config.js';
import { isLotreelError, type LotreelError } from '../../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'lotreel-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A settings file with this content; its path. */
function settingsFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ HOME: dir, ...extra });

/** The problems of the one error thrown, checking its code. */
function problemsOf(run: () => unknown, code: 'INVALID_CONFIG' | 'INVALID_ARGUMENT'): string[] {
  try {
    run();
  } catch (error) {
    expect(isLotreelError(error, code)).toBe(true);
    const problems = (error as LotreelError).details?.problems as string[];
    for (const problem of problems) expect((error as Error).message).toContain(problem);
    return problems;
  }
  return expect.unreachable('no error thrown');
}

describe('settings groups', () => {
  it('fills every group and key with its default; a group names only what it changes', () => {
    const settings = parseSettings({ photos: { maxPhotos: 3 } });
    expect(settings.photos).toEqual({ ...DEFAULT_SETTINGS.photos, maxPhotos: 3 });
    expect(settings.photos.edgeMarginMs).toBe(600);
    expect(settings.segmentation).toMatchObject({ splitDistance: 0.33, mergeDistance: 0.16, maxGapMs: 1500, minSegmentMs: 1500, changeStepDistance: 0.2, closeUpMaxMs: 20000 });
    expect(settings.ocr.enabled).toBe(true);
    expect(settings.plates.blur).toBe(true);
    expect(settings.editor.previewLongSide).toBe(1024);
    expect(settings.reel).toMatchObject({ minDurationMs: 12000, maxDurationMs: 30000, encoder: 'libx264' });
    expect(Object.keys(settings)).toEqual([
      'sampling', 'detection', 'segmentation', 'edges', 'photos', 'ocr', 'plates', 'text', 'clip', 'views', 'makeModel', 'catalogue', 'listingText', 'editor', 'reel',
    ]);
  });

  it('YOLOX follows sampling.batchSize unless detection.batchSize is set', () => {
    expect(DEFAULT_SETTINGS.detection.batchSize).toBeUndefined();
    expect(parseSettings({ sampling: { batchSize: 4 }, detection: { batchSize: 16 } })).toMatchObject({ sampling: { batchSize: 4 }, detection: { batchSize: 16 } });
  });

  it.each([0, 65, 2.5, '8'])('rejects detection.batchSize %j, naming its path', (value) => {
    const problems = problemsOf(() => parseSettings({ detection: { batchSize: value as number } }), 'INVALID_ARGUMENT');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^detection\.batchSize: /);
  });

  it('reports every invalid value together, each with its path', () => {
    const problems = problemsOf(
      () => parseSettings({ photos: { maxPhotos: 0, jpegQuality: 101 }, ocr: { minTextScore: 2 }, catalogue: { makes: [''] } }),
      'INVALID_ARGUMENT',
    );
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['catalogue.makes.0', 'ocr.minTextScore', 'photos.jpegQuality', 'photos.maxPhotos']);
  });

  it('rejects unknown keys (typos) in a group and unknown groups', () => {
    const problems = problemsOf(() => parseSettings({ photos: { maxPhoto: 3 }, photo: {} } as never), 'INVALID_ARGUMENT');
    expect(problems.sort()).toEqual(['photo: unknown setting', 'photos.maxPhoto: unknown setting']);
  });

  it('merges overrides group by group; arrays are replaced whole; an unset override keeps the value', () => {
    const file = { photos: { maxPhotos: 4, jpegQuality: 80 }, catalogue: { makes: ['Audi', 'BMW'] } };
    expect(mergeSettings(file, { photos: { maxPhotos: 2, jpegQuality: undefined }, catalogue: { makes: ['Kia'] } })).toEqual({
      photos: { maxPhotos: 2, jpegQuality: 80 },
      catalogue: { makes: ['Kia'] },
    });
  });
});

describe('loadConfig with a settings file', () => {
  it('uses defaults without a file', () => {
    const config = loadConfig(env());
    expect(config.analysis).toEqual(expect.objectContaining({ photos: DEFAULT_SETTINGS.photos, listingText: DEFAULT_SETTINGS.listingText }));
    expect(config.editor).toEqual(DEFAULT_SETTINGS.editor);
  });

  it('reads LOTREEL_CONFIG: the file on top of the defaults, the editor group included', () => {
    const file = settingsFile('lot.json', { photos: { maxPhotos: 4 }, segmentation: { maxGapMs: 2500 }, editor: { previewLongSide: 512 } });
    const config = loadConfig(env({ LOTREEL_CONFIG: file }));
    expect(config.analysis.photos).toEqual({ ...DEFAULT_SETTINGS.photos, maxPhotos: 4 });
    expect(config.analysis.segmentation.maxGapMs).toBe(2500);
    expect(config.analysis.segmentation.splitDistance).toBe(0.33);
    expect(config.editor.previewLongSide).toBe(512);
  });

  it('precedence: defaults < LOTREEL_CONFIG file, replaced by --config file < command-line overrides', () => {
    const fromEnv = settingsFile('env.json', { photos: { maxPhotos: 7 }, sampling: { sampleFps: 5 } });
    const fromFlag = settingsFile('flag.json', { photos: { maxPhotos: 4, jpegQuality: 80 }, plates: { blur: false } });
    const config = loadConfig(env({ LOTREEL_CONFIG: fromEnv }), { configFile: fromFlag, overrides: { photos: { maxPhotos: 2 }, plates: { blur: undefined } } });
    expect(config.analysis.photos).toMatchObject({ maxPhotos: 2, jpegQuality: 80 });
    // --config replaces LOTREEL_CONFIG whole (its sampleFps is not read); an unset flag keeps the file's value.
    expect(config.analysis.sampling.sampleFps).toBe(DEFAULT_SETTINGS.sampling.sampleFps);
    expect(config.analysis.plates.blur).toBe(false);
  });

  it('LOTREEL_MARKET sets text.market over the settings file, under command-line overrides', () => {
    const file = settingsFile('market.json', { text: { market: 'us', badgeMinInside: 0.7 } });
    expect(loadConfig(env({ LOTREEL_CONFIG: file })).analysis.text).toMatchObject({ market: 'us', badgeMinInside: 0.7 });
    expect(loadConfig(env({ LOTREEL_CONFIG: file, LOTREEL_MARKET: 'eu' })).analysis.text).toMatchObject({ market: 'eu', badgeMinInside: 0.7 });
    expect(loadConfig(env({ LOTREEL_MARKET: 'eu' }), { overrides: { text: { market: 'us' } } }).analysis.text.market).toBe('us');
    expect(problemsOf(() => loadConfig(env({ LOTREEL_MARKET: 'mars' })), 'INVALID_CONFIG')[0]).toMatch(/^LOTREEL_MARKET: /);
  });

  it('reports the environment and the file problems in one INVALID_CONFIG, the file named', () => {
    const file = settingsFile('bad.json', { photos: { maxPhotos: 100 }, ocr: { detThreshold: -1, treads: 4 } });
    const problems = problemsOf(() => loadConfig(env({ LOTREEL_CONFIG: file, PORT: 'eighty', LOTREEL_LOG_LEVEL: 'loud' })), 'INVALID_CONFIG');
    expect(problems).toHaveLength(5);
    expect(problems.filter((p) => p.startsWith('PORT:') || p.startsWith('LOTREEL_LOG_LEVEL:'))).toHaveLength(2);
    expect(problems).toContain(`${file}: ocr.treads: unknown setting`);
    expect(problems.some((p) => p.startsWith(`${file}: photos.maxPhotos: `))).toBe(true);
    expect(problems.some((p) => p.startsWith(`${file}: ocr.detThreshold: `))).toBe(true);
  });

  it('rejects a flag override out of range like a file value', () => {
    const problems = problemsOf(() => loadConfig(env(), { overrides: { photos: { maxPhotos: 61 } } }), 'INVALID_CONFIG');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^photos\.maxPhotos: /);
  });

  it.each([
    ['missing.json', null, /missing\.json: cannot be read \(ENOENT\)/],
    ['broken.json', '{"photos": {', /broken\.json: not valid JSON/],
    ['array.json', '[1, 2]', /array\.json: \(file\): /],
  ])('names an unusable file (%s)', (name, content, message) => {
    const path = content === null ? join(dir, name) : settingsFile(name, content);
    const problems = problemsOf(() => loadConfig(env({ LOTREEL_CONFIG: path })), 'INVALID_CONFIG');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});
