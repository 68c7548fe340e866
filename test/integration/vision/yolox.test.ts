/** The YOLOX detector on the real model: dynamic batch rewrite, batch = per-frame, the darknet photo, lifecycle. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intersectionOverUnion, type Box } from '../../../src/core/geometry.js';
import { isLotreelError } from '../../../src/core/errors.js';
import type { Frame } from '../../../src/media/types.js';
import { YoloxDetector, findYoloxHeadInputs, getModelSpec, loadModelManifest, rewriteToDynamicBatch, summariseOnnxGraph } from '../../../src/vision/index.js';
import { warmUp } from '../../../src/vision/yolox.js';
import { scratchDir, sharedFile, yoloxModelDir } from '../../helpers/shared.js';
import { decodeAllFrames, loadEpfl } from './frames.js';

const modelPath = () => join(yoloxModelDir(), 'yolox_nano.onnx');

describe('dynamic batch rewrite of the real graph', () => {
  it('rewrites the three head Reshapes and finds the neck outputs', async () => {
    const bytes = new Uint8Array(await readFile(modelPath()));
    const graph = summariseOnnxGraph(bytes);
    expect(graph.inputs).toEqual([{ name: 'images', elemType: 1, dims: [1, 3, 416, 416] }]);
    expect(graph.outputs).toEqual([{ name: 'output', elemType: 1, dims: [1, 3549, 85] }]);
    const reshapes = graph.nodes.filter((n) => n.opType === 'Reshape');
    expect(reshapes.map((n) => graph.int64Initializers.get(n.inputs[1]))).toEqual([
      [1n, 85n, -1n],
      [1n, 85n, -1n],
      [1n, 85n, -1n],
    ]);
    const info = findYoloxHeadInputs(graph, 'output');
    expect(info.headInputs).toHaveLength(3);
    const result = rewriteToDynamicBatch(bytes, { extraOutputs: info.headInputs });
    expect(result.reshapes).toEqual(reshapes.map((n) => n.name));
    const rewritten = summariseOnnxGraph(result.model);
    expect(rewritten.inputs[0].dims).toEqual(['batch', 3, 416, 416]);
    expect(rewritten.outputs[0].dims).toEqual(['batch', 3549, 85]);
    expect(reshapes.map((n) => rewritten.int64Initializers.get(n.inputs[1])?.[0])).toEqual([0n, 0n, 0n]);
  });

  it('batched outputs equal the original model run frame by frame, features included', async () => {
    const bytes = new Uint8Array(await readFile(modelPath()));
    const info = findYoloxHeadInputs(bytes, 'output');
    const { model } = rewriteToDynamicBatch(bytes, { extraOutputs: info.headInputs });
    const original = await ort.InferenceSession.create(bytes);
    const dynamic = await ort.InferenceSession.create(model);
    try {
      const n = 3;
      const size = 3 * 416 * 416;
      const input = new Float32Array(n * size);
      let seed = 7;
      for (let i = 0; i < input.length; i++) input[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
      const batched = await dynamic.run({ images: new ort.Tensor('float32', input, [n, 3, 416, 416]) });
      const channels = info.headInputs.map((name) => batched[name].dims[1]);
      expect(channels).toEqual([64, 128, 256]);
      expect(info.headInputs.map((name) => batched[name].dims.slice(2))).toEqual([[52, 52], [26, 26], [13, 13]]);
      let maxDiff = 0;
      let maxFeatureDiff = 0;
      for (let k = 0; k < n; k++) {
        const single = await original.run({ images: new ort.Tensor('float32', input.slice(k * size, (k + 1) * size), [1, 3, 416, 416]) });
        const a = single.output.data as Float32Array;
        const b = (batched.output.data as Float32Array).subarray(k * a.length, (k + 1) * a.length);
        for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        // The feature map of frame k from a batch-1 run of the rewritten model.
        const one = await dynamic.run({ images: new ort.Tensor('float32', input.slice(k * size, (k + 1) * size), [1, 3, 416, 416]) });
        const fa = one[info.headInputs[1]].data as Float32Array;
        const fb = (batched[info.headInputs[1]].data as Float32Array).subarray(k * fa.length, (k + 1) * fa.length);
        for (let i = 0; i < fa.length; i++) maxFeatureDiff = Math.max(maxFeatureDiff, Math.abs(fa[i] - fb[i]));
      }
      console.log(`batched vs single: max |diff| output ${maxDiff}, stride-16 features ${maxFeatureDiff}`);
      expect(maxDiff).toBeLessThan(1e-3);
      expect(maxFeatureDiff).toBeLessThan(1e-3);
    } finally {
      await original.release();
      await dynamic.release();
    }
  });
});

describe('load-time batch check', () => {
  it('rejects a naive rewrite (batch made symbolic, Reshapes left at 1) and accepts the real one', async () => {
    const bytes = new Uint8Array(await readFile(modelPath()));
    const spec = getModelSpec(loadModelManifest(), 'yolox-nano');
    const naive = await ort.InferenceSession.create(rewriteToDynamicBatch(bytes, { fixReshapes: false }).model);
    const fixed = await ort.InferenceSession.create(rewriteToDynamicBatch(bytes).model);
    try {
      await expect(warmUp(naive, spec, true)).rejects.toThrow(/batch of 2/);
      await expect(warmUp(fixed, spec, true)).resolves.toBeUndefined();
    } finally {
      await naive.release();
      await fixed.release();
    }
  });
});

describe('YoloxDetector', () => {
  let detector: YoloxDetector;
  beforeAll(async () => {
    detector = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'cpu', batchSize: 4, scoreThreshold: 0.25, nmsIou: 0.45 });
  });
  afterAll(async () => {
    await detector?.dispose();
  });

  it('reports its provider and batch', () => {
    expect(detector.provider).toBe('cpu');
    expect(detector.batchSize).toBe(4);
    expect(detector.embeddings).toBe(true);
    expect(detector.labels[2]).toBe('car');
  });

  it('finds the truck, the bicycle and the dog of the darknet photo', async () => {
    const { data, info } = await sharp(sharedFile('media/images/darknet-dog-truck-bicycle.jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([768, 576]);
    const frame: Frame = { timestampMs: 0, width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    const [detections] = await detector.detect([frame]);
    const show = (b: Box) => [b.x1, b.y1, b.x2, b.y2].map(Math.round).join(',');
    console.log(`darknet photo: ${detections.map((d) => `${d.label} ${d.score.toFixed(2)} [${show(d.box)}]`).join('; ')}`);
    // Where they are in the photo (approximate boxes, 768x576 pixels).
    const expected: Record<string, Box> = {
      bicycle: { x1: 115, y1: 125, x2: 570, y2: 425 },
      dog: { x1: 130, y1: 220, x2: 315, y2: 540 },
      truck: { x1: 465, y1: 75, x2: 690, y2: 170 },
    };
    for (const [label, box] of Object.entries(expected)) {
      const match = detections.filter((d) => d.label === label).sort((a, b) => intersectionOverUnion(b.box, box) - intersectionOverUnion(a.box, box))[0];
      expect(match, label).toBeDefined();
      expect(intersectionOverUnion(match.box, box), label).toBeGreaterThan(0.7);
    }
    for (const d of detections) {
      expect(d.box.x1).toBeGreaterThanOrEqual(0);
      expect(d.box.x2).toBeLessThanOrEqual(768);
      expect(d.box.y2).toBeLessThanOrEqual(576);
      expect(d.embedding).toHaveLength(128);
    }
  });

  it('gives the same detections in a batch as frame by frame, for frames of different sizes', async () => {
    const { file, truth } = loadEpfl(2);
    const frames = (await decodeAllFrames(file, truth.width, truth.height, truth.fps)).slice(0, 5);
    const { data, info } = await sharp(sharedFile('media/images/darknet-dog-truck-bicycle.jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    frames.splice(2, 0, { timestampMs: 0, width: info.width, height: info.height, data: new Uint8Array(data) });
    const batched = await detector.detect(frames); // 6 frames: a batch of 4 and one of 2
    expect(batched).toHaveLength(6);
    for (let k = 0; k < frames.length; k++) {
      const [single] = await detector.detect([frames[k]]);
      expect(batched[k].map((d) => d.label)).toEqual(single.map((d) => d.label));
      batched[k].forEach((d, i) => {
        expect(d.score).toBeCloseTo(single[i].score, 4);
        expect(d.box.x1).toBeCloseTo(single[i].box.x1, 2);
        expect(d.box.y2).toBeCloseTo(single[i].box.y2, 2);
      });
    }
    expect(await detector.detect([])).toEqual([]);
  });

  it('keeps only the requested classes', async () => {
    const vehicles = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'cpu', classIds: [2, 5, 7], embeddings: false });
    try {
      const { data, info } = await sharp(sharedFile('media/images/darknet-dog-truck-bicycle.jpg')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const [detections] = await vehicles.detect([{ timestampMs: 0, width: info.width, height: info.height, data: new Uint8Array(data) }]);
      expect(detections.length).toBeGreaterThan(0);
      expect(detections.every((d) => [2, 5, 7].includes(d.classId) && d.embedding === undefined)).toBe(true);
    } finally {
      await vehicles.dispose();
    }
  });

  it('MODEL_MISSING from create names the file and both remedies', async () => {
    try {
      await YoloxDetector.create({ modelsDir: scratchDir('no-models'), device: 'cpu' });
      expect.unreachable();
    } catch (error) {
      expect(isLotreelError(error, 'MODEL_MISSING')).toBe(true);
      expect((error as Error).message).toMatch(/yolox_nano\.onnx.*lotreel models pull.*LOTREEL_MODELS_DIR=/);
    }
  });

  it('auto on this host reports the provider it used and the CUDA attempt', async () => {
    const auto = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'auto', batchSize: 2 });
    try {
      expect(['cpu', 'cuda']).toContain(auto.provider);
      expect(auto.attempts[0].provider).toBe('cuda');
    } finally {
      await auto.dispose();
    }
  });

  it('runs the file as it is when the manifest declares no rewrite: one frame per run, no embeddings', async () => {
    const manifest = loadModelManifest();
    const undeclared = { ...manifest, models: manifest.models.map((m) => (m.id === 'yolox-nano' ? { ...m, rewrite: undefined } : m)) };
    const plain = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'cpu', batchSize: 4, manifest: undeclared });
    try {
      expect(plain.batchSize).toBe(1);
      expect(plain.embeddings).toBe(false);
    } finally {
      await plain.dispose();
    }
    // The package's manifest declares both, and that is what runs.
    expect(getModelSpec(manifest, 'yolox-nano').rewrite).toMatchObject({ batch: 'dynamic', exposeEmbedding: true });
    expect(detector.batchSize).toBe(4);
    expect(detector.embeddings).toBe(true);
  });

  it('rejects detect after dispose; dispose twice is fine', async () => {
    const d = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'cpu', batchSize: 1 });
    await d.dispose();
    await d.dispose();
    await expect(d.detect([])).rejects.toThrow(/disposed/);
  });
});
