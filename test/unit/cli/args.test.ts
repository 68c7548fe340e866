import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/cli/args.js';
import { exitCodeFor } from '../../../src/cli/exit-codes.js';
import { isLotreelError } from '../../../src/core/errors.js';

describe('parseCommand', () => {
  it('parses process with every option', () => {
    expect(parseCommand(['process', 'lot.mp4', '--out', 'o', '--json', '--device', 'cpu', '--max-photos', '8'])).toEqual({
      kind: 'process', file: 'lot.mp4', outDir: 'o', json: true, device: 'cpu', maxPhotos: 8, verbose: false, blurPlates: undefined,
    });
  });

  it.each(['auto', 'cpu', 'cuda', 'webgpu'])('accepts --device %s', (device) => {
    expect(parseCommand(['process', 'lot.mp4', '--device', device])).toMatchObject({ kind: 'process', device });
  });

  it('turns plate blurring off with --no-blur-plates', () => {
    expect(parseCommand(['process', 'lot.mp4', '--no-blur-plates'])).toMatchObject({ kind: 'process', blurPlates: false });
  });

  it('takes --config FILE on any command, and only a non-empty name', () => {
    expect(parseCommand(['process', 'lot.mp4', '--config', 'lot.json'])).toMatchObject({ kind: 'process', configFile: 'lot.json' });
    expect(parseCommand(['worker', '--config', '/etc/lotreel.json'])).toEqual({ kind: 'worker', verbose: false, configFile: '/etc/lotreel.json' });
    expect(parseCommand(['serve'])).not.toHaveProperty('configFile');
    expect(() => parseCommand(['serve', '--config', ''])).toThrow(/--config needs a file name/);
  });

  it.each([
    [['process'], /exactly one video/],
    [['process', 'a.mp4', '--device', 'tpu'], /--device must be one of auto, cpu, cuda, webgpu/],
    [['process', 'a.mp4', '--max-photos', '0'], /--max-photos/],
    [['process', 'a.mp4', '--max-photos', 'x'], /--max-photos/],
    [['process', 'a.mp4', '--bogus'], /bogus/],
    [['dance'], /unknown command "dance"/],
    [['models', 'eat'], /unknown models command/],
  ])('rejects %j with a clear message', (argv, message) => {
    try {
      parseCommand(argv);
      expect.unreachable();
    } catch (error) {
      expect(isLotreelError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('parses help, version and models', () => {
    expect(parseCommand([])).toEqual({ kind: 'help', topic: undefined });
    expect(parseCommand(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommand(['models', 'pull'])).toEqual({ kind: 'models-pull', ids: [], verbose: false });
    expect(parseCommand(['models', 'pull', 'yolox-nano', 'clip-vit-base-patch32'])).toEqual({ kind: 'models-pull', ids: ['yolox-nano', 'clip-vit-base-patch32'], verbose: false });
    expect(parseCommand(['models', 'list', '--json'])).toEqual({ kind: 'models-list', json: true, verbose: false });
  });
});

describe('exitCodeFor', () => {
  it('gives 2 for bad input, 3 for a missing environment piece, 4 for the database', () => {
    expect(exitCodeFor('INPUT_NOT_VIDEO')).toBe(2);
    expect(exitCodeFor('INPUT_CORRUPT')).toBe(2);
    expect(exitCodeFor('MODEL_MISSING')).toBe(3);
    expect(exitCodeFor('DATABASE_FAILED')).toBe(4);
    expect(exitCodeFor('INTERNAL')).toBe(1);
  });
});
