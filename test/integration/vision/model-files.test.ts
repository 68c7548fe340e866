/** Model files against the real weights: checksums, the sidecar cache, MODEL_MISSING, and pullModels from a real local HTTP server. */
import { createServer, type Server } from 'node:http';
import { copyFile, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLotreelError, type LotreelError } from '../../../src/core/errors.js';
import { getModelSpec, loadModelManifest, type ModelManifest } from '../../../src/vision/manifest.js';
import { cachedSha256, clearChecksumCache, listModels, pullModels, resolveModelFile } from '../../../src/vision/model-files.js';
import { scratchDir, sharedFile, yoloxModelDir } from '../../helpers/shared.js';

const SHA = '695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14';
const manifest = loadModelManifest();
const spec = getModelSpec(manifest, 'yolox-nano');

async function caught(promise: Promise<unknown>): Promise<LotreelError> {
  try {
    await promise;
  } catch (error) {
    if (isLotreelError(error)) return error;
    throw error;
  }
  throw new Error('expected a LotreelError');
}

describe('model files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = scratchDir('vision-model-files');
    await mkdir(dir, { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the manifest labels are the shared coco_classes.txt', async () => {
    const labels = (await readFile(sharedFile('models/yolox_nano/coco_classes.txt'), 'utf8')).split('\n').filter(Boolean);
    expect(spec.labels).toEqual(labels);
  });

  it('resolves and checks the shared model (read-only folder: the hash stays in memory)', async () => {
    const file = await resolveModelFile(spec, yoloxModelDir());
    expect(file).toMatchObject({ id: 'yolox-nano', sha256: SHA, size: 3660092 });
  });

  it('MODEL_MISSING names the file and both remedies on one line', async () => {
    const error = await caught(resolveModelFile(spec, join(dir, 'empty')));
    expect(error.code).toBe('MODEL_MISSING');
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('yolox_nano.onnx');
    expect(error.message).toContain('lotreel models pull');
    expect(error.message).toContain('LOTREEL_MODELS_DIR=');
    expect(error.details).toMatchObject({ file: 'yolox_nano.onnx', urls: spec.urls });
  });

  it('caches the checksum in a sidecar keyed by size and mtime', async () => {
    const copy = join(dir, 'cache');
    await mkdir(copy, { recursive: true });
    const path = join(copy, 'yolox_nano.onnx');
    await copyFile(join(yoloxModelDir(), 'yolox_nano.onnx'), path);
    clearChecksumCache();
    expect(await cachedSha256(path)).toMatchObject({ sha256: SHA, cached: false });
    const sidecar = JSON.parse(await readFile(`${path}.sha256`, 'utf8'));
    expect(sidecar).toMatchObject({ sha256: SHA, size: 3660092 });
    clearChecksumCache(); // from the sidecar now
    expect(await cachedSha256(path)).toMatchObject({ sha256: SHA, cached: true });

    // Same size, new content and mtime: the cache must not be trusted.
    const bytes = await readFile(path);
    bytes[1000] ^= 0xff;
    await writeFile(path, bytes);
    const later = new Date(Date.now() + 5000);
    await utimes(path, later, later);
    const changed = await cachedSha256(path);
    expect(changed.cached).toBe(false);
    expect(changed.sha256).not.toBe(SHA);
    const error = await caught(resolveModelFile(spec, copy));
    expect(error.code).toBe('MODEL_CHECKSUM');
    expect(error.message).toContain('lotreel models pull');
  });

  it('lists models with their state', async () => {
    const listed = await listModels(yoloxModelDir(), manifest);
    expect(listed[0]).toEqual(expect.objectContaining({ id: 'yolox-nano', present: true, checksumOk: true, size: 3660092 }));
    // The CLIP family is listed as well; the shared folder has no CLIP weights.
    expect(listed.slice(1).map((m) => [m.id, m.present])).toEqual(manifest.models.slice(1).map((m) => [m.id, false]));
    expect((await listModels(join(dir, 'none'), manifest))[0]).toMatchObject({ present: false });
  });
});

describe('pullModels from a local HTTP server', () => {
  let server: Server;
  let base: string;
  let dir: string;
  let good: Buffer;
  const requests: string[] = [];

  beforeAll(async () => {
    good = await readFile(join(yoloxModelDir(), 'yolox_nano.onnx'));
    const bad = Buffer.from(good);
    bad[good.length >> 1] ^= 0x55;
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/good/yolox_nano.onnx') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': good.length });
        // Several chunks, as a real download would arrive.
        for (let i = 0; i < good.length; i += 256 * 1024) res.write(good.subarray(i, i + 256 * 1024));
        res.end();
      } else if (req.url === '/bad/yolox_nano.onnx') {
        res.writeHead(200, { 'content-length': bad.length });
        res.end(bad);
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: '/good/yolox_nano.onnx' });
        res.end();
      } else {
        res.writeHead(404);
        res.end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = scratchDir('vision-pull');
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const withUrls = (...urls: string[]): ModelManifest => ({ ...manifest, models: [{ ...spec, urls }] });
  const leftovers = async (folder: string) => (await readdir(folder)).filter((f) => f.endsWith('.part'));

  it('downloads from the first URL that works, checks it, renames it into place', async () => {
    const target = join(dir, 'a');
    requests.length = 0;
    const result = await pullModels(withUrls(`${base}/missing/yolox_nano.onnx`, `${base}/redirect`), target);
    expect(requests).toEqual(['/missing/yolox_nano.onnx', '/redirect', '/good/yolox_nano.onnx']);
    expect(result).toEqual([expect.objectContaining({ id: 'yolox-nano', action: 'downloaded', url: `${base}/redirect`, sha256: SHA, size: good.length })]);
    expect((await readFile(join(target, 'yolox_nano.onnx'))).equals(good)).toBe(true);
    expect(await leftovers(target)).toEqual([]);
    // Usable at once, and a second pull does nothing.
    await resolveModelFile(spec, target);
    requests.length = 0;
    expect((await pullModels(withUrls(`${base}/good/yolox_nano.onnx`), target))[0].action).toBe('present');
    expect(requests).toEqual([]);
  });

  it('replaces a corrupt file', async () => {
    const target = join(dir, 'b');
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'yolox_nano.onnx'), 'not a model');
    const [result] = await pullModels(withUrls(`${base}/good/yolox_nano.onnx`), target);
    expect(result.action).toBe('replaced');
    expect((await stat(join(target, 'yolox_nano.onnx'))).size).toBe(good.length);
  });

  it('a corrupted download fails with MODEL_CHECKSUM and leaves nothing behind', async () => {
    const target = join(dir, 'c');
    const error = await caught(pullModels(withUrls(`${base}/bad/yolox_nano.onnx`), target));
    expect(error.code).toBe('MODEL_CHECKSUM');
    expect(error.message).toContain(`${base}/bad/yolox_nano.onnx`);
    expect(await readdir(target)).toEqual([]);
  });

  it('falls through a corrupted mirror to a good one', async () => {
    const target = join(dir, 'd');
    const [result] = await pullModels(withUrls(`${base}/bad/yolox_nano.onnx`, `${base}/good/yolox_nano.onnx`), target);
    expect(result).toMatchObject({ action: 'downloaded', url: `${base}/good/yolox_nano.onnx` });
  });

  it('an unreachable or missing file fails with MODEL_DOWNLOAD naming every URL', async () => {
    const target = join(dir, 'e');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/yolox_nano.onnx`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await caught(pullModels(withUrls(`${base}/missing/yolox_nano.onnx`, deadUrl), target));
    expect(error.code).toBe('MODEL_DOWNLOAD');
    expect(error.message).toContain('HTTP 404');
    expect(error.message).toContain(deadUrl);
    expect(error.message).not.toContain('\n');
    expect(await leftovers(target)).toEqual([]);
  });
});
