import { describe, expect, it } from 'vitest';
import { BackendLimitError, BackendUnavailableError, NrmError } from './errors.js';

describe('BackendLimitError', () => {
  it('names what hit which limit and the fixes, and carries the figures', () => {
    const e = new BackendLimitError({
      backend: 'webgpu',
      limit: 'maxStorageBufferBindingSize',
      what: 'a float32 tensor of shape [25088, 4096] (411041792 bytes) exceeds maxStorageBufferBindingSize (134217728 bytes)',
      fixes: ['use the wasm backend', 'split the layer'],
      shape: [25088, 4096],
      bytes: 411041792,
      limitBytes: 134217728,
    });
    expect(e).toBeInstanceOf(NrmError);
    expect(e.name).toBe('BackendLimitError');
    expect(e.code).toBe('BACKEND_LIMIT');
    expect(e.message).toBe(
      "Backend 'webgpu': a float32 tensor of shape [25088, 4096] (411041792 bytes) exceeds maxStorageBufferBindingSize (134217728 bytes). Fix: use the wasm backend; or split the layer.",
    );
    expect([e.backend, e.limit, e.bytes, e.limitBytes, e.shape]).toEqual(['webgpu', 'maxStorageBufferBindingSize', 411041792, 134217728, [25088, 4096]]);
    const bare = new BackendLimitError({ backend: 'webgpu', limit: 'synchronous reads', what: 'no synchronous read', fixes: ['await tensor.data()'] });
    expect('shape' in bare && bare.shape !== undefined).toBe(false);
  });
});

describe('BackendUnavailableError', () => {
  it('keeps the single-backend message and lists what was tried', () => {
    const e = new BackendUnavailableError('webgpu', 'no adapter');
    expect(e.message).toBe("Backend 'webgpu' is not available here: no adapter");
    expect(e.tried).toEqual([{ backend: 'webgpu', reason: 'no adapter' }]);
  });
});
