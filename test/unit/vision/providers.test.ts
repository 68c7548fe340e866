import { describe, expect, it } from 'vitest';
import { DEVICES } from '../../../src/config/config.js';
import { CUDA_INSTALL_HINT, WEBGPU_HINT, providerOptions, providerPreference, unavailableMessage } from '../../../src/vision/providers.js';

describe('providerPreference', () => {
  it.each([
    ['auto', ['cuda', 'cpu']],
    ['cpu', ['cpu']],
    ['cuda', ['cuda']],
    ['webgpu', ['webgpu']],
  ] as const)('%s tries %j', (device, expected) => {
    expect(providerPreference(device)).toEqual(expected);
  });

  it('an explicit GPU device never lists the CPU (no silent fallback)', () => {
    for (const device of DEVICES.filter((d) => d !== 'auto' && d !== 'cpu')) expect(providerPreference(device)).not.toContain('cpu');
  });

  it('covers every device the CLI accepts', () => {
    for (const device of DEVICES) expect(providerPreference(device).length).toBeGreaterThan(0);
  });
});

describe('providerOptions', () => {
  it('gives each provider its options', () => {
    expect(providerOptions('cuda')).toEqual({ deviceId: 0 });
    expect(providerOptions('webgpu')).toEqual({ preferredLayout: 'NCHW' });
    expect(providerOptions('cpu')).toEqual({ useArena: true });
  });
});

describe('unavailableMessage', () => {
  it('says how to install the CUDA provider, with the variable its install script reads', () => {
    const message = unavailableMessage('cuda', 'the CUDA provider library of onnxruntime-node is not installed');
    expect(message).toBe(`CUDA was requested but the CUDA provider library of onnxruntime-node is not installed: ${CUDA_INSTALL_HINT}`);
    expect(message).toContain('ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install.js');
    expect(message).toContain('--device cpu');
  });

  it('says what WebGPU needs', () => {
    const message = unavailableMessage('webgpu', 'cannot be used (No supported adapters)');
    expect(message).toBe(`WebGPU was requested but cannot be used (No supported adapters): ${WEBGPU_HINT}`);
    expect(message).toContain('--device cpu');
    expect(message).not.toContain('\n');
  });
});
