/**
 * onnxruntime-node sessions: explicit provider choice with our own fallback (onnxruntime throws
 * instead of falling back), one warm-up run, release. The only module that creates sessions.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Device } from '../config/config.js';
import { LotreelError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { Provider } from './types.js';

export type InferenceSession = ort.InferenceSession;

/**
 * How to add the CUDA provider to onnxruntime-node. Its install script (script/install-utils.js) reads
 * ONNXRUNTIME_NODE_INSTALL before npm's `onnxruntime-node-install` setting, so the variable wins over
 * the project's `.npmrc` skip; `true` installs the platform's default (cuda12 on linux/x64 in 1.30).
 */
export const CUDA_INSTALL_HINT =
  'on a Linux x64 host with an NVIDIA GPU, CUDA 12 and cuDNN 9, run `ONNXRUNTIME_NODE_INSTALL=true npm rebuild onnxruntime-node` ' +
  '(or `npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12`), or use --device cpu';

export interface ProviderAttempt {
  provider: Provider;
  ok: boolean;
  /** Not tried at all (e.g. the CUDA provider library is not installed). */
  skipped?: boolean;
  error?: string;
}

export interface ManagedSession {
  session: InferenceSession;
  provider: Provider;
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

export interface CudaStatus {
  available: boolean;
  reason: string;
}

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

async function open(model: string | Uint8Array, provider: Provider, options: CreateSessionOptions): Promise<InferenceSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    // Idle inference threads must not spin: ffmpeg decodes on the same cores between batches.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, sessionOptions) : ort.InferenceSession.create(model, sessionOptions);
}

/**
 * Opens a session on the requested device:
 * - `cpu`: the CPU provider;
 * - `cuda`: only CUDA; DEVICE_UNAVAILABLE (with the install hint) when it cannot be used;
 * - `auto`: CUDA when onnxruntime-node has its provider installed and it loads, else CPU; the
 *   skipped or failed CUDA attempt is recorded in `attempts`.
 * The session is warmed up with one run before it is returned.
 */
export async function createSession(model: string | Uint8Array, options: CreateSessionOptions): Promise<ManagedSession> {
  const log = options.log ?? silentLogger;
  const attempts: ProviderAttempt[] = [];
  let session: InferenceSession | undefined;
  let provider: Provider = 'cpu';
  let reason: string;

  const warm = async (opened: InferenceSession): Promise<number> => {
    const started = performance.now();
    if (typeof options.warmup === 'function') await options.warmup(opened);
    else if (options.warmup !== false) {
      const feeds = zeroFeeds(opened);
      if (feeds) await opened.run(feeds);
    }
    return performance.now() - started;
  };
  let warmupMs = 0;

  if (options.device === 'cuda' || options.device === 'auto') {
    const cuda = cudaProviderStatus();
    if (!cuda.available) {
      attempts.push({ provider: 'cuda', ok: false, skipped: true, error: cuda.reason });
      if (options.device === 'cuda') {
        throw new LotreelError('DEVICE_UNAVAILABLE', `CUDA was requested but ${cuda.reason}: ${CUDA_INSTALL_HINT}`, { details: { attempts } });
      }
      reason = `CUDA not used: ${cuda.reason}`;
    } else {
      let opened: InferenceSession | undefined;
      try {
        opened = await open(model, 'cuda', options);
        // A provider that loads can still fail on the first run (no device, out of memory).
        warmupMs = await warm(opened);
        session = opened;
        provider = 'cuda';
        attempts.push({ provider: 'cuda', ok: true });
        reason = cuda.reason;
      } catch (error) {
        await opened?.release().catch(() => undefined);
        attempts.push({ provider: 'cuda', ok: false, error: firstLine(error) });
        if (options.device === 'cuda') {
          throw new LotreelError('DEVICE_UNAVAILABLE', `CUDA was requested but cannot be used (${firstLine(error)}): ${CUDA_INSTALL_HINT}`, {
            cause: error,
            details: { attempts },
          });
        }
        reason = `CUDA failed: ${firstLine(error)}`;
      }
    }
  } else {
    reason = 'CPU requested';
  }

  if (!session) {
    let opened: InferenceSession | undefined;
    try {
      opened = await open(model, 'cpu', options);
      warmupMs = await warm(opened);
      session = opened;
      attempts.push({ provider: 'cpu', ok: true });
    } catch (error) {
      await opened?.release().catch(() => undefined);
      attempts.push({ provider: 'cpu', ok: false, error: firstLine(error) });
      throw new LotreelError('INTERNAL', `cannot ${opened ? 'run' : 'load'} the model on the CPU: ${firstLine(error)}`, { cause: error, details: { attempts } });
    }
  }

  const fields = { provider, device: options.device, reason, attempts, warmupMs: Math.round(warmupMs) };
  if (!providerLogged) log.info('onnxruntime provider', fields);
  else log.debug('onnxruntime provider', fields);
  providerLogged = true;

  let released = false;
  const opened = session;
  return {
    session: opened,
    provider,
    attempts,
    warmupMs,
    async release() {
      if (released) return;
      released = true;
      await opened.release();
    },
  };
}
