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
  /**
   * XNNPACK threads. Default: tfjs's choice (one in Node, where tfjs turns threads off). In Node,
   * more than one starts the threaded SIMD binary that ships in tfjs-backend-wasm (see
   * `startThreadedWasm`); if that fails, the backend starts with one thread and
   * {@link wasmThreadsReport} says why. Has effect only when it is the first start of the wasm
   * backend in this process. Browsers use threads only on cross-origin-isolated pages.
   */
  readonly threads?: number;
}

let threadsReport: { readonly threads: number; readonly asked?: number; readonly reason?: string } | undefined;

/**
 * How many threads the wasm backend runs with, and why not more when more were asked for;
 * `undefined` before a wasm backend created here has started.
 */
export function wasmThreadsReport(): { readonly threads: number; readonly asked?: number; readonly reason?: string } | undefined {
  return threadsReport;
}

const isNode = (): boolean => typeof process === 'object' && typeof process.versions?.node === 'string';

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
      const asked = options.threads;
      // Not tf.findBackend: it starts a registered backend that has not started yet.
      const firstStart = !('wasm' in (tf.engine() as unknown as { registry: Record<string, unknown> }).registry);
      let reason = firstStart ? 'tfjs chose the thread count' : 'the wasm backend had already started';
      if (asked !== undefined && asked > 1 && isNode() && firstStart && !options.wasmPaths) {
        try {
          const { startThreadedWasm } = await import('./node-threads.js');
          const { threads } = await startThreadedWasm(asked);
          threadsReport = threads === asked ? { threads, asked } : { threads, asked, reason: `tfjs started ${threads} thread(s)` };
          return;
        } catch (error) {
          tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
          wasm.setThreadsCount(1);
          reason = `the threaded wasm start failed (${String((error as Error)?.message ?? error).split('\n')[0]}); running on one thread`;
        }
      } else if (asked !== undefined && asked > 0 && firstStart && !isNode()) {
        wasm.setThreadsCount(asked);
      }
      if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start the wasm backend');
      await tf.ready();
      const threads = wasm.getThreadsCount();
      threadsReport = asked !== undefined && asked !== threads ? { threads, asked, reason } : { threads };
    },
  };
}

/** The default wasm backend. */
export const wasmBackend: Backend = createWasmBackend();

/** The plugin carrying {@link wasmBackend}. */
export const wasm: Plugin = { specificationVersion: 'v1', name: '@nrm/backend-wasm', backends: [wasmBackend] };
