/**
 * onnxruntime-node sessions: explicit provider choice with our own fallback (onnxruntime throws
 * instead of falling back), one warm-up run, release. The only module that creates sessions.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Device } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { providerOptions, providerPreference, unavailableMessage, type DeviceReport, type ProviderAttempt, type ProviderOptions } from './providers.js';
import type { Provider } from './types.js';

export type InferenceSession = ort.InferenceSession;

export { CUDA_INSTALL_HINT, WEBGPU_HINT, type DeviceReport, type ProviderAttempt } from './providers.js';

export interface ManagedSession {
  session: InferenceSession;
  provider: Provider;
  report: DeviceReport;
  /** Every provider considered, in order, with why it was or was not used. */
  attempts: ProviderAttempt[];
  warmupMs: number;
  /** Releases the native session; safe to call twice. */
  release(): Promise<void>;
}

export interface CreateSessionOptions {
  device: Device;
  /** Threads per operator on the CPU provider (default: onnxruntime's choice, the physical cores). */
  intraOpThreads?: number;
  log?: Logger;
  /** Run once on zero inputs after loading (default true); a function replaces the default run. */
  warmup?: boolean | ((session: InferenceSession) => Promise<void>);
}

/** Whether a provider can be tried at all on this install. */
export interface ProviderStatus {
  available: boolean;
  reason: string;
}

export type CudaStatus = ProviderStatus;

/** Whether this onnxruntime-node build can load the CUDA provider at all (no GPU check). */
export function cudaProviderStatus(): CudaStatus {
  let backends: Array<{ name: string; bundled: boolean }> = [];
  try {
    backends = ort.listSupportedBackends();
  } catch (error) {
    return { available: false, reason: `listSupportedBackends failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const cuda = backends.find((b) => b.name === 'cuda');
  if (!cuda) return { available: false, reason: `this onnxruntime-node build has no CUDA provider (${process.platform}/${process.arch})` };
  if (cuda.bundled) return { available: true, reason: 'the CUDA provider is bundled' };
  const library = cudaProviderLibrary();
  if (library && existsSync(library)) return { available: true, reason: `the CUDA provider is installed (${library})` };
  return { available: false, reason: 'the CUDA provider library of onnxruntime-node is not installed' };
}

/** Whether this onnxruntime-node build bundles the WebGPU provider (whether an adapter exists shows only on load). */
export function webgpuProviderStatus(): ProviderStatus {
  try {
    const webgpu = ort.listSupportedBackends().find((b) => b.name === 'webgpu');
    if (webgpu?.bundled) return { available: true, reason: 'the WebGPU provider is bundled' };
    return { available: false, reason: `this onnxruntime-node build has no WebGPU provider (${process.platform}/${process.arch})` };
  } catch (error) {
    return { available: false, reason: `listSupportedBackends failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function cudaProviderLibrary(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    const dir = join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
    if (process.platform === 'win32') return join(dir, 'onnxruntime_providers_cuda.dll');
    if (process.platform === 'linux') return join(dir, 'libonnxruntime_providers_cuda.so');
    return undefined;
  } catch {
    return undefined;
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** Zero inputs for the session's declared shapes (symbolic dimensions become 1). */
function zeroFeeds(session: InferenceSession): Record<string, ort.Tensor> | undefined {
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) return undefined;
    const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    switch (meta.type) {
      case 'float32':
        feeds[meta.name] = new ort.Tensor('float32', new Float32Array(n), dims);
        break;
      case 'uint8':
        feeds[meta.name] = new ort.Tensor('uint8', new Uint8Array(n), dims);
        break;
      case 'int32':
        feeds[meta.name] = new ort.Tensor('int32', new Int32Array(n), dims);
        break;
      case 'int64':
        feeds[meta.name] = new ort.Tensor('int64', new BigInt64Array(n), dims);
        break;
      default:
        return undefined;
    }
  }
  return feeds;
}

let providerLogged = false;

/** Session-wide settings, as reported. */
function sessionSettings(options: CreateSessionOptions): ProviderOptions {
  return { graphOptimizationLevel: 'all', intraOpNumThreads: options.intraOpThreads ?? 'default', allowSpinning: false };
}

async function open(model: string | Uint8Array, provider: Provider, options: CreateSessionOptions): Promise<InferenceSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [{ name: provider, ...providerOptions(provider) }],
    graphOptimizationLevel: 'all',
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    // Idle inference threads must not spin: ffmpeg decodes on the same cores between batches.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, sessionOptions) : ort.InferenceSession.create(model, sessionOptions);
}

/**
 * Opens a session on the requested device, trying `providerPreference(device)` in order:
 * - `cpu`: the CPU provider;
 * - `cuda` / `webgpu`: only that provider; DEVICE_UNAVAILABLE (saying how to get it) when it cannot
 *   be used, never a silent fallback;
 * - `auto`: CUDA when onnxruntime-node has its provider installed and it loads, else CPU; the
 *   skipped or failed CUDA attempt is recorded in `attempts` and logged.
 * The session is warmed up with one run before it is returned: a provider that loads can still fail
 * on its first run (no device, out of memory).
 */
export async function createSession(model: string | Uint8Array, options: CreateSessionOptions): Promise<ManagedSession> {
  const log = options.log ?? silentLogger;
  const attempts: ProviderAttempt[] = [];
  const preference = providerPreference(options.device);
  const reasons: string[] = [];
  let session: InferenceSession | undefined;
  let provider: Provider = 'cpu';
  let warmupMs = 0;

  const warm = async (opened: InferenceSession): Promise<number> => {
    const started = performance.now();
    if (typeof options.warmup === 'function') await options.warmup(opened);
    else if (options.warmup !== false) {
      const feeds = zeroFeeds(opened);
      if (feeds) await opened.run(feeds);
    }
    return performance.now() - started;
  };

  for (const candidate of preference) {
    const attempt: ProviderAttempt = { provider: candidate, ok: false, options: providerOptions(candidate) };
    attempts.push(attempt);
    const onlyChoice = candidate !== 'cpu' && options.device === candidate;
    if (candidate !== 'cpu') {
      const status = candidate === 'cuda' ? cudaProviderStatus() : webgpuProviderStatus();
      if (!status.available) {
        Object.assign(attempt, { skipped: true, error: status.reason });
        if (onlyChoice) throw new LotreelError('DEVICE_UNAVAILABLE', unavailableMessage(candidate, status.reason), { details: { attempts } });
        reasons.push(`${candidate} not used: ${status.reason}`);
        continue;
      }
    }
    let opened: InferenceSession | undefined;
    try {
      opened = await open(model, candidate, options);
      warmupMs = await warm(opened);
      session = opened;
      provider = candidate;
      attempt.ok = true;
      reasons.push(candidate === 'cpu' && options.device === 'cpu' ? 'CPU requested' : `${candidate} loaded and ran`);
      break;
    } catch (error) {
      await opened?.release().catch(() => undefined);
      attempt.error = firstLine(error);
      if (onlyChoice) {
        throw new LotreelError('DEVICE_UNAVAILABLE', unavailableMessage(candidate, `cannot be used (${firstLine(error)})`), { cause: error, details: { attempts } });
      }
      if (candidate === 'cpu') {
        throw new LotreelError('INTERNAL', `cannot ${opened ? 'run' : 'load'} the model on the CPU: ${firstLine(error)}`, { cause: error, details: { attempts } });
      }
      reasons.push(`${candidate} failed: ${firstLine(error)}`);
    }
  }
  if (!session) throw new LotreelError('INTERNAL', `no execution provider could be opened for --device ${options.device}`, { details: { attempts } });

  const report: DeviceReport = { requested: options.device, used: provider, preference, session: sessionSettings(options), attempts };
  const fields = { provider, device: options.device, reason: reasons.join('; '), preference, attempts, session: report.session, warmupMs: Math.round(warmupMs) };
  if (!providerLogged) log.info('onnxruntime provider', fields);
  else log.debug('onnxruntime provider', fields);
  providerLogged = true;

  let released = false;
  const opened = session;
  return {
    session: opened,
    provider,
    report,
    attempts,
    warmupMs,
    async release() {
      if (released) return;
      released = true;
      await opened.release();
    },
  };
}
