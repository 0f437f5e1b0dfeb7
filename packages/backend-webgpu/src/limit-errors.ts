/**
 * The typed errors the guarded WebGPU backend raises instead of computing garbage.
 */
import { BackendLimitError } from '@nrm/core';

/** The WebGPU limit the buffer guard enforces. */
export const BINDING_LIMIT = 'maxStorageBufferBindingSize';

/**
 * Bytes a tensor takes in a WebGPU storage buffer: 4 per element (tfjs stores `bool` as `int32`),
 * 8 for `complex64`; 0 for `string` tensors, which never leave the CPU.
 */
export function tensorBytes(shape: readonly number[], dtype: string): number {
  if (dtype === 'string') return 0;
  const size = shape.reduce((a, b) => a * b, 1);
  return size * (dtype === 'complex64' ? 8 : 4);
}

/** `411041792 bytes (392.0 MiB)`. */
export function formatBytes(bytes: number): string {
  return `${bytes} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB)`;
}

/** Where the guard's limit comes from: the adapter, or the `maxBindingBytes` option below it. */
export interface BindingLimit {
  /** The limit the guard enforces, in bytes. */
  readonly bytes: number;
  /** The adapter's (device's) `maxStorageBufferBindingSize`. */
  readonly adapterBytes: number;
}

/** The error for a tensor above the binding limit: names its shape, size, the limit and the fixes. */
export function bufferLimitError(shape: readonly number[], dtype: string, bytes: number, limit: BindingLimit): BackendLimitError {
  const source =
    limit.bytes < limit.adapterBytes
      ? `the maxBindingBytes option, ${formatBytes(limit.bytes)} (the adapter's ${BINDING_LIMIT} is ${formatBytes(limit.adapterBytes)})`
      : `this adapter's ${BINDING_LIMIT}, ${formatBytes(limit.bytes)}`;
  return new BackendLimitError({
    backend: 'webgpu',
    limit: BINDING_LIMIT,
    what:
      `${/^[aeiou]/.test(dtype) ? 'an' : 'a'} ${dtype} tensor of shape [${shape.join(', ')}] needs ${formatBytes(bytes)}, more than one GPU buffer binding may hold: ` +
      `${source}; above it software drivers return wrong values without an error, so it was not allocated`,
    fixes: [
      "explain on the wasm backend ('--backend wasm', or wasmBackend from @nrm/backend-wasm)",
      'use a smaller input or batch',
      'split the layer that owns the tensor (e.g. a Dense kernel into narrower Dense layers) so each part stays under the limit',
    ],
    shape: [...shape],
    bytes,
    limitBytes: limit.bytes,
  });
}

/** The error for `dataSync()` of GPU data where the runtime has no synchronous read (Node). */
export function syncReadError(shape: readonly number[]): BackendLimitError {
  return new BackendLimitError({
    backend: 'webgpu',
    limit: 'synchronous reads',
    what:
      `a synchronous read (dataSync, arraySync, bufferSync) of a tensor of shape [${shape.join(', ')}] that lives on the GPU ` +
      'is not possible in Node (Dawn has no synchronous buffer mapping, and tfjs reads synchronously through OffscreenCanvas)',
    fixes: [
      'read it with await tensor.data() or await tensor.array()',
      "pass checkFinite: false to createExplainer (its NaN/Inf check is the engine's one synchronous read)",
      'use the wasm backend',
    ],
    shape: [...shape],
  });
}

/** The error for GPU errors that tfjs ignores (a shader that does not compile, a lost device). */
export function gpuError(during: string, errors: readonly string[]): BackendLimitError {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new BackendLimitError({
    backend: 'webgpu',
    limit: 'GPU errors',
    what:
      `the GPU reported an error during ${during}: "${errors[0]}"${more}; the results would be wrong, so the operation was stopped ` +
      '(in browsers the report arrives late: results computed since the previous read are suspect)',
    fixes: [
      'use the wasm backend',
      'report the operation and the shapes to NRM (tfjs-backend-webgpu 4.22 miscompiles some kernels; @nrm/backend-webgpu replaces those it knows)',
    ],
  });
}
