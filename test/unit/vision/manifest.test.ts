import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { defaultManifestPath, getModelSpec, loadModelManifest, matchingChecksum, parseModelManifest } from '../../../src/vision/manifest.js';

const raw = () => JSON.parse(readFileSync(defaultManifestPath(), 'utf8'));

describe('model manifest', () => {
  it('loads the package manifest from models/manifest.json', () => {
    expect(defaultManifestPath()).toMatch(/models[/\\]manifest\.json$/);
    const spec = getModelSpec(loadModelManifest(), 'yolox-nano');
    expect(spec.file).toBe('yolox_nano.onnx');
    expect(spec.input).toMatchObject({ name: 'images', width: 416, height: 416, layout: 'NCHW', channelOrder: 'BGR', padValue: 114, batch: 1 });
    expect(spec.output).toMatchObject({ name: 'output', strides: [8, 16, 32], sigmoidApplied: true });
    expect(spec.labels).toHaveLength(80);
    expect([spec.labels[2], spec.labels[5], spec.labels[7]]).toEqual(['car', 'bus', 'truck']);
    expect(spec.urls).toHaveLength(2);
    expect(spec.embedding?.mean).toHaveLength(spec.embedding!.channels);
  });

  it('accepts a full hash, or a known prefix only with the exact size', () => {
    const spec = getModelSpec(loadModelManifest(), 'yolox-nano');
    const full = '695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14';
    expect(matchingChecksum(spec, full, 3660092)).toBeDefined();
    expect(matchingChecksum(spec, full.toUpperCase(), 3660092)).toBeDefined();
    expect(matchingChecksum(spec, full, 3660091)).toBeUndefined();
    const official = 'c789161e' + '0'.repeat(56);
    expect(matchingChecksum(spec, official, 3659407)).toMatchObject({ sha256Prefix: 'c789161e' });
    expect(matchingChecksum(spec, official, 3659408)).toBeUndefined();
    expect(matchingChecksum(spec, 'c789161f' + '0'.repeat(56), 3659407)).toBeUndefined();
  });

  it('reports every problem of an invalid manifest together', () => {
    const bad = raw();
    bad.models[0].checksums[0].sha256 = 'xyz';
    bad.models[0].checksums[1] = { sha256Prefix: 'c789161e' }; // prefix without size
    bad.models[0].input.layout = 'NHWC';
    bad.models[0].embedding.mean = [1, 2, 3];
    try {
      parseModelManifest(bad);
      expect.unreachable();
    } catch (error) {
      expect(isLotreelError(error)).toBe(true);
      const message = (error as Error).message;
      expect(message).toMatch(/checksums\.0/);
      expect(message).toMatch(/checksums\.1/);
      expect(message).toMatch(/input\.layout/);
      expect(message).toMatch(/embedding\.mean/);
    }
  });

  it('rejects duplicate ids and file names with a path', () => {
    const dup = raw();
    dup.models.push(dup.models[0]);
    expect(() => parseModelManifest(dup)).toThrow(/appears twice/);
    const path = raw();
    path.models[0].file = '../yolox_nano.onnx';
    expect(() => parseModelManifest(path)).toThrow(/plain file name/);
  });

  it('says which model is unknown', () => {
    expect(() => getModelSpec(loadModelManifest(), 'nope')).toThrow(/model nope/);
  });
});
