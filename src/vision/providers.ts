/**
 * Execution providers (pure): which ones each `--device` tries, in order, with which options, and
 * what to tell the user when the one they asked for cannot be used. session.ts does the trying.
 */
import type { Device } from '../config/config.js';
import type { Provider } from './types.js';

/**
 * Providers tried, best first. `auto` tries CUDA, then the CPU; it never picks WebGPU by itself:
 * onnxruntime's WebGPU provider probes the graphics stack on every start (slow, and noisy on a
 * headless server) and is only worth it on a GPU without CUDA, so it is asked for by name.
 */
export function providerPreference(device: Device): Provider[] {
  switch (device) {
    case 'auto':
      return ['cuda', 'cpu'];
    case 'cuda':
      return ['cuda'];
    case 'webgpu':
      return ['webgpu'];
    case 'cpu':
      return ['cpu'];
  }
}

/** Options given to each provider (what `executionProviders` receives), also reported in the result. */
export type ProviderOptions = Record<string, string | number | boolean>;

export interface ProviderAttempt {
  provider: Provider;
  ok: boolean;
  /** Options the provider was (or would have been) given. */
  options: ProviderOptions;
  /** Not tried at all (e.g. the CUDA provider library is not installed). */
  skipped?: boolean;
  error?: string;
}

/** What `--device` asked for, what was tried in which order, and what runs: the result's `device`. */
export interface DeviceReport {
  requested: Device;
  /** The provider actually used. */
  used: Provider;
  /** Providers in the order they are tried for `requested`. */
  preference: Provider[];
  /** Session-wide settings (threads, spinning, graph optimisation). */
  session: ProviderOptions;
  attempts: ProviderAttempt[];
  /**
   * In a processing result: the provider each model that ran was opened on (the fields above are the
   * detector's; CLIP and OCR open their sessions by the same rules and log theirs).
   */
  models?: Partial<Record<'yolox' | 'clip' | 'ocr', Provider>>;
}


export function providerOptions(provider: Provider): ProviderOptions {
  switch (provider) {
    case 'cuda':
      return { deviceId: 0 };
    case 'webgpu':
      // onnxruntime's default; NCHW is the layout the models here take.
      return { preferredLayout: 'NCHW' };
    case 'cpu':
      return { useArena: true };
  }
}

/**
 * How to add the CUDA provider to onnxruntime-node: run its install script (script/install.js) by hand,
 * which works whatever npm does with dependency scripts (npm 11's allowScripts denies it in
 * package.json, so `npm rebuild` would skip it); `true` installs the platform's default (cuda12 on
 * linux/x64 in 1.30).
 */
export const CUDA_INSTALL_HINT =
  'on a Linux x64 host with an NVIDIA GPU, CUDA 12 and cuDNN 9, run `ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install.js` ' +
  '(or ONNXRUNTIME_NODE_INSTALL=cuda12), or use --device cpu';

export const WEBGPU_HINT =
  "WebGPU needs a GPU whose driver Dawn (onnxruntime's bundled WebGPU) accepts: Vulkan on Linux, D3D12 on Windows, Metal on macOS; use --device cpu (or --device cuda on an NVIDIA host)";

/** The one-line message for a requested provider that cannot be used. */
export function unavailableMessage(provider: Exclude<Provider, 'cpu'>, why: string): string {
  return provider === 'cuda' ? `CUDA was requested but ${why}: ${CUDA_INSTALL_HINT}` : `WebGPU was requested but ${why}: ${WEBGPU_HINT}`;
}
