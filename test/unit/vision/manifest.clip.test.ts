import { describe, expect, it } from 'vitest';
import { clipFamilies, getClipFamily, getModelSpec, loadModelManifest, matchingChecksum, parseModelManifest } from '../../../src/vision/manifest.js';

describe('CLIP entries of the model manifest', () => {
  const manifest = loadModelManifest();

  it('names ViT-B/32 with its four files, upstream URLs and the published hashes of both towers', () => {
    expect(clipFamilies(manifest)).toContain('clip-vit-base-patch32');
    const family = getClipFamily(manifest, 'clip-vit-base-patch32');
    expect(family['clip-vision']).toMatchObject({
      file: 'clip-vit-base-patch32-vision.onnx',
      input: { name: 'pixel_values', size: 224, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
      output: { name: 'image_embeds', dim: 512 },
      checksums: [{ sha256: 'fd6e1402a588279d1723c7534d4bcba5bc0b14b47dfab0e46f8c47b8270d7d40' }],
    });
    expect(family['clip-text']).toMatchObject({ input: { name: 'input_ids', contextLength: 77 }, output: { name: 'text_embeds', dim: 512 } });
    for (const spec of Object.values(family)) {
      expect(spec.urls.length).toBeGreaterThan(0);
      for (const url of spec.urls) expect(url).toMatch(/^https:\/\/huggingface\.co\/(Xenova|openai)\/clip-vit-base-patch32\/resolve\//);
    }
  });

  it('accepts any tokenizer file only where no hash is published, and keeps detection lookups apart', () => {
    const family = getClipFamily(manifest, 'clip-vit-base-patch32');
    expect(matchingChecksum(family['clip-vocab'], '0'.repeat(64), 10)).toMatchObject({ unverified: expect.any(String) });
    expect(matchingChecksum(family['clip-vision'], '0'.repeat(64), 10)).toBeUndefined();
    expect(() => getModelSpec(manifest, 'clip-vit-base-patch32-vision')).toThrow(/not a detection model/);
    expect(() => getClipFamily(manifest, 'no-such-family')).toThrow(/lacks clip-vision/);
  });

  it('rejects a CLIP entry with an unknown task or without a family', () => {
    const entry = { id: 'x-vision', task: 'clip-vision', family: 'x', file: 'x.onnx', checksums: [{ sha256: 'a'.repeat(64) }], urls: ['https://example.invalid/x'], licence: 'MIT' };
    expect(parseModelManifest({ schemaVersion: 1, models: [entry] }).models).toHaveLength(1);
    expect(() => parseModelManifest({ schemaVersion: 1, models: [{ ...entry, task: 'clip-audio' }] })).toThrow(/task/);
    const { family: _family, ...noFamily } = entry;
    expect(() => parseModelManifest({ schemaVersion: 1, models: [noFamily] })).toThrow(/family/);
  });
});
