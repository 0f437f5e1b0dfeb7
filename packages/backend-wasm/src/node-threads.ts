/**
 * Multi-threaded wasm in Node. tfjs 4.22 turns wasm threads off in Node: its pthread workers are
 * started from `blob:` URLs, which Node's `worker_threads` cannot load, and the C++ side caps the
 * pool at half the logical cores (one on a two-core machine). The threaded SIMD binary and its
 * worker source ship in the package, so this module:
 *
 * 1. starts each pthread worker from the shipped worker source (`eval: true`) and answers its
 *    `load` message with the path of the shipped glue script instead of a `Blob`;
 * 2. reports enough logical cores while the backend starts, so that the asked-for thread count is
 *    not halved;
 * 3. turns tfjs's `WASM_HAS_MULTITHREAD_SUPPORT` flag on and sets the thread count.
 *
 * Nothing of tfjs is forked or copied; the patches are undone once the backend has started (the
 * worker class stays, for workers the pool starts later). Node only: browsers need nothing of this
 * (threads work there on cross-origin-isolated pages).
 */
import * as tf from '@tensorflow/tfjs-core';

/** What {@link startThreadedWasm} did. */
export interface ThreadedStart {
  /** Threads XNNPACK runs with (tfjs's `getThreadsCount()`). */
  readonly threads: number;
}

interface WorkerThreadsModule {
  Worker: new (url: string, options?: Record<string, unknown>) => { postMessage(message: unknown, transfer?: unknown): void; unref(): void };
}

/** Patches `worker_threads.Worker` (as seen by CommonJS `require`, which the glue uses) once. */
function installWorkerShim(require: (id: string) => unknown, wasmOut: string): void {
  const workerThreads = require('worker_threads') as WorkerThreadsModule & { __nrmShim?: boolean };
  if (workerThreads.__nrmShim) return;
  const { wasmWorkerContents } = require(`${wasmOut}tfjs-backend-wasm-threaded-simd.worker.js`) as { wasmWorkerContents: string };
  // The worker source is kept in a template literal: its "\n" escapes became newlines (tfjs
  // escapes them again before making its Blob).
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const glue = `${wasmOut}tfjs-backend-wasm-threaded-simd.js`;
  const Base = workerThreads.Worker;
  class ShippedSourceWorker extends Base {
    constructor(url: string, options?: Record<string, unknown>) {
      if (typeof url === 'string' && url.startsWith('blob:')) super(source, { ...options, eval: true });
      else super(url, options);
      this.unref();
    }
    /**
     * Emscripten refs a worker while a pthread runs on it, and XNNPACK's pool threads run for the
     * life of the process: Node would never exit. They are helpers of the main thread (which waits
     * for them synchronously), so they never hold the process open.
     */
    ref(): void {}
    override postMessage(message: unknown, transfer?: unknown): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') {
        super.postMessage({ ...m, urlOrBlob: glue }, transfer);
        return;
      }
      super.postMessage(message, transfer);
    }
  }
  workerThreads.Worker = ShippedSourceWorker;
  workerThreads.__nrmShim = true;
}

/**
 * Starts tfjs's wasm backend with `threads` threads in Node. Call before anything else starts the
 * wasm backend; throws if the threaded start fails (the caller falls back to one thread).
 */
export async function startThreadedWasm(threads: number): Promise<ThreadedStart> {
  const { createRequire } = await import(/* @vite-ignore */ 'node:module');
  const require = createRequire(import.meta.url);
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const packageJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  const wasmOut = packageJson.replace(/package\.json$/, 'wasm-out/');
  installWorkerShim(require, wasmOut);
  const os = require('os') as { cpus: () => unknown[] };
  const cpus = os.cpus;
  os.cpus = () => {
    const list = cpus.call(os);
    while (list.length < 2 * threads) list.push(list[0]);
    return list;
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start the threaded wasm backend');
    await tf.ready();
  } finally {
    os.cpus = cpus;
  }
  return { threads: wasm.getThreadsCount() };
}
