/** Provider choice on the real model: cpu, cuda (unavailable on a CPU-only host), auto with fallback. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/log.js';
import { CUDA_INSTALL_HINT, WEBGPU_HINT, createSession, cudaProviderStatus, webgpuProviderStatus } from '../../../src/vision/session.js';
import { yoloxModelDir } from '../../helpers/shared.js';

const model = () => join(yoloxModelDir(), 'yolox_nano.onnx');
const cuda = cudaProviderStatus();

describe('createSession', () => {
  it('cpu: opens and warms up on the CPU provider', async () => {
    const managed = await createSession(model(), { device: 'cpu', intraOpThreads: 1 });
    try {
      expect(managed.provider).toBe('cpu');
      expect(managed.attempts).toEqual([{ provider: 'cpu', ok: true, options: { useArena: true } }]);
      expect(managed.report).toEqual({
        requested: 'cpu',
        used: 'cpu',
        preference: ['cpu'],
        session: { graphOptimizationLevel: 'all', intraOpNumThreads: 1, allowSpinning: false },
        attempts: managed.attempts,
      });
      expect(managed.warmupMs).toBeGreaterThan(0);
      expect(managed.session.inputNames).toEqual(['images']);
    } finally {
      await managed.release();
      await managed.release(); // twice is fine
    }
  });

  it.runIf(!cuda.available)('cuda: DEVICE_UNAVAILABLE with the install hint when the CUDA provider is not installed', async () => {
    try {
      await createSession(model(), { device: 'cuda' });
      expect.unreachable();
    } catch (error) {
      expect(isLotreelError(error, 'DEVICE_UNAVAILABLE')).toBe(true);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain(CUDA_INSTALL_HINT);
      expect(message).toContain('ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install.js');
      expect(message).toContain('--device cpu');
    }
  });

  it.runIf(cuda.available)('cuda: uses CUDA or says why not (GPU host)', async () => {
    try {
      const managed = await createSession(model(), { device: 'cuda' });
      expect(managed.provider).toBe('cuda');
      await managed.release();
    } catch (error) {
      expect(isLotreelError(error, 'DEVICE_UNAVAILABLE')).toBe(true);
    }
  });

  it('auto: falls back to the CPU, records the CUDA attempt and logs the choice once', async () => {
    const lines: string[] = [];
    const log = createLogger('info', (line) => lines.push(line));
    const managed = await createSession(model(), { device: 'auto', log });
    try {
      const cudaAttempt = managed.attempts.find((a) => a.provider === 'cuda');
      expect(cudaAttempt).toBeDefined();
      if (managed.provider === 'cpu') {
        expect(cudaAttempt).toMatchObject({ ok: false });
        expect(cudaAttempt!.error).toBeTruthy();
        expect(managed.attempts.at(-1)).toEqual({ provider: 'cpu', ok: true, options: { useArena: true } });
        expect(managed.report).toMatchObject({ requested: 'auto', used: 'cpu', preference: ['cuda', 'cpu'] });
      }
      if (!cuda.available) expect(cudaAttempt).toMatchObject({ skipped: true });
    } finally {
      await managed.release();
    }
    const chosen = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'onnxruntime provider');
    // Logged at info by the first session of the process only (the cpu test above may have been first).
    expect(chosen.length).toBeLessThanOrEqual(1);
  });

  it('webgpu: runs on WebGPU where an adapter exists, else DEVICE_UNAVAILABLE saying what it needs; never the CPU', async () => {
    expect(webgpuProviderStatus().available).toBe(true); // bundled in onnxruntime-node 1.30 on linux/x64
    let managed;
    try {
      managed = await createSession(model(), { device: 'webgpu' });
    } catch (error) {
      expect(isLotreelError(error, 'DEVICE_UNAVAILABLE')).toBe(true);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(/^WebGPU was requested but cannot be used \(.*adapter/i);
      expect(message).toContain(WEBGPU_HINT);
      const attempts = (error as { details?: { attempts?: unknown } }).details?.attempts;
      expect(attempts).toEqual([expect.objectContaining({ provider: 'webgpu', ok: false, options: { preferredLayout: 'NCHW' } })]);
      return;
    }
    try {
      expect(managed.provider).toBe('webgpu');
      expect(managed.report).toMatchObject({ requested: 'webgpu', used: 'webgpu', preference: ['webgpu'] });
    } finally {
      await managed.release();
    }
  }, 60_000);

  it('a file that is not a model fails clearly', async () => {
    await expect(createSession(new Uint8Array([1, 2, 3, 4]), { device: 'cpu' })).rejects.toThrow(/cannot load the model/);
  });
});
