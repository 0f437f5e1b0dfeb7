/**
 * `@nrm/backend-wasm`: tfjs's WebAssembly backend (XNNPACK, SIMD when the runtime has it): the
 * fast backend on a CPU. One thread in Node (tfjs turns wasm threads off there).
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Backend, Plugin, SupportReport } from '@nrm/core';

/** WebAssembly itself, and SIMD, as this runtime reports them. */
export function wasmFeatures(): { webAssembly: boolean; simd: boolean } {
  const webAssembly = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  // The smallest module using a v128 instruction: validates only where SIMD is supported.
  const simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  return { webAssembly, simd: webAssembly && WebAssembly.validate(simdProbe) };
}

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /** Where the `.wasm` binaries are served from (browsers); Node finds them in the package. */
  readonly wasmPaths?: string;
}

/** A wasm backend set-up; `wasmBackend` is the default one. */
export function createWasmBackend(options: WasmBackendOptions = {}): Backend {
  return {
    specificationVersion: 'v1',
    id: 'wasm',
    isSupported(): Promise<SupportReport> {
      const f = wasmFeatures();
      return Promise.resolve(
        f.webAssembly ? { supported: true } : { supported: false, reason: 'this runtime has no WebAssembly' },
      );
    },
    async setup() {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths);
      if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start the wasm backend');
      await tf.ready();
    },
  };
}

/** The default wasm backend. */
export const wasmBackend: Backend = createWasmBackend();

/** The plugin carrying {@link wasmBackend}. */
export const wasm: Plugin = { specificationVersion: 'v1', name: '@nrm/backend-wasm', backends: [wasmBackend] };
