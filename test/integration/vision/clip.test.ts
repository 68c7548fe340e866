import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestClipFamily } from '../../../fixtures/clip-model.js';
import { mulberry32 } from '../../../fixtures/prng.js';
import { isLotreelError } from '../../../src/core/errors.js';
import { ClipEncoder, missingClipFiles } from '../../../src/vision/clip.js';
import { cudaProviderStatus } from '../../../src/vision/session.js';
import type { ModelManifest } from '../../../src/vision/manifest.js';
import type { RgbImage } from '../../../src/vision/yolox.preprocess.js';
import { scratchDir } from '../../helpers/shared.js';

function noiseImage(seed: number, width = 320, height = 200): RgbImage {
  const random = mulberry32(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256)) };
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('ClipEncoder with a random-weight CLIP-shaped model', () => {
  const dir = scratchDir('clip-encoder');
  let manifest: ModelManifest;
  let family: string;
  let encoder: ClipEncoder;

  beforeAll(async () => {
    ({ manifest, family } = await writeTestClipFamily(dir, { attentionMask: true }));
    encoder = await ClipEncoder.create({ modelsDir: dir, device: 'cpu', family, manifest, imageBatchSize: 3, textBatchSize: 4 });
  });
  afterAll(async () => {
    await encoder?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the export layout and reports the provider', () => {
    expect(encoder.provider).toBe('cpu');
    expect(encoder.modelKey).toMatch(/^clip-test:[0-9a-f]{64}:[0-9a-f]{64}$/);
  });

  it('gives unit-length image embeddings that do not depend on how the batch was cut', async () => {
    const items = Array.from({ length: 7 }, (_, i) => ({ image: noiseImage(i + 1) }));
    const batched = await encoder.encodeImages(items);
    expect(batched).toHaveLength(7);
    for (const e of batched) {
      expect(e).toHaveLength(16);
      expect(dot(e, e)).toBeCloseTo(1, 4);
    }
    const single = await encoder.encodeImages([items[5]]);
    for (let i = 0; i < 16; i++) expect(single[0][i]).toBeCloseTo(batched[5][i], 4);
    expect(dot(batched[0], batched[1])).toBeLessThan(0.9999);
    expect(encoder.stats.images).toBe(8);
  });

  it('crops the box before encoding', async () => {
    const image = noiseImage(42);
    const [whole, crop] = await encoder.encodeImages([{ image }, { image, box: { x1: 10, y1: 10, x2: 150, y2: 120 } }]);
    expect(dot(whole, crop)).toBeLessThan(0.9999);
  });

  it('encodes texts in batches with the attention mask the export asks for', async () => {
    const texts = ['a photo of the front of a car', 'a photo of a car dashboard', 'a photo of a wheel', 'a red car', 'engine bay'];
    const batched = await encoder.encodeTexts(texts);
    const single = await encoder.encodeTexts([texts[4]]);
    for (let i = 0; i < 16; i++) expect(single[0][i]).toBeCloseTo(batched[4][i], 4);
    expect(dot(batched[0], batched[0])).toBeCloseTo(1, 4);
    expect(dot(batched[0], batched[1])).toBeLessThan(0.9999);
  });

  it.skipIf(cudaProviderStatus().available)('--device cuda without the CUDA provider is an error that says how to install it', async () => {
    const error = await ClipEncoder.create({ modelsDir: dir, device: 'cuda', family, manifest }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'DEVICE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install.js');
  });

  it('lists missing files and refuses to open without them', async () => {
    const empty = scratchDir('clip-empty');
    try {
      expect(await missingClipFiles(empty, family, manifest)).toEqual(['clip-test-vision.onnx', 'clip-test-text.onnx', 'clip-test-vocab.json', 'clip-test-merges.txt']);
      expect(await missingClipFiles(dir, family, manifest)).toEqual([]);
      await expect(ClipEncoder.create({ modelsDir: empty, device: 'cpu', family, manifest })).rejects.toSatisfy((e) => isLotreelError(e, 'MODEL_MISSING'));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('text length', () => {
  it('pads a batch only to its longest text when the export takes any length, with the same embeddings as padding to 77', async () => {
    const dir = scratchDir('clip-length');
    const texts = ['a photo of a car', 'a photo of the front three-quarter view of a red Toyota Corolla hatchback', 'a wheel'];
    try {
      const dynamic = await writeTestClipFamily(dir, { family: 'clip-dynamic', dynamicLength: true });
      const fixed = await writeTestClipFamily(dir, { family: 'clip-fixed', dynamicLength: false });
      const a = await ClipEncoder.create({ modelsDir: dir, device: 'cpu', family: dynamic.family, manifest: dynamic.manifest });
      const b = await ClipEncoder.create({ modelsDir: dir, device: 'cpu', family: fixed.family, manifest: fixed.manifest });
      try {
        const [ea, eb] = [await a.encodeTexts(texts), await b.encodeTexts(texts)];
        for (let t = 0; t < texts.length; t++) for (let i = 0; i < 16; i++) expect(ea[t][i]).toBeCloseTo(eb[t][i], 4);
      } finally {
        await a.dispose();
        await b.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ClipEncoder without attention_mask', () => {
  it('feeds input_ids only', async () => {
    const dir = scratchDir('clip-nomask');
    try {
      const { manifest, family } = await writeTestClipFamily(dir, { attentionMask: false, family: 'clip-nomask' });
      const encoder = await ClipEncoder.create({ modelsDir: dir, device: 'cpu', family, manifest });
      try {
        const [e] = await encoder.encodeTexts(['a photo of a car']);
        expect(e).toHaveLength(16);
      } finally {
        await encoder.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
