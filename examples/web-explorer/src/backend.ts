/**
 * Picks and starts the tfjs backend in the browser: WebGPU (via `@nrm/backend-webgpu`) when
 * `navigator.gpu` gives an adapter, else wasm (via `@nrm/backend-wasm`, binaries served by this
 * site under `tfjs-wasm/`). `?backend=wasm|webgpu|cpu` asks for one; the answer says which one
 * runs and why.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Backend, Plugin } from '@nrm/core';
import { cpu } from '@nrm/backend-cpu';
import { createWasmBackend, wasmFeatures } from '@nrm/backend-wasm';
import { createWebGpuBackend } from '@nrm/backend-webgpu';

/** The backend that runs, for the page and for the test. */
export interface StartedBackend {
  /** `'webgpu'`, `'wasm'` or `'cpu'` (tfjs's backend name once started). */
  readonly name: string;
  /** One line for people: the adapter, SIMD, or why the preferred backend is not used. */
  readonly detail: string;
  /** The plugin carrying it (for the registry). */
  readonly plugin: Plugin;
}

async function start(backend: Backend, detail: string): Promise<StartedBackend> {
  const report = await backend.isSupported();
  if (!report.supported) throw new Error(report.reason ?? `${backend.id} is not supported here`);
  await backend.setup();
  return { name: tf.getBackend(), detail, plugin: { specificationVersion: 'v1', name: `explorer-${backend.id}`, backends: [backend] } };
}

async function startWasm(note: string): Promise<StartedBackend> {
  const wasmPaths = new URL('tfjs-wasm/', document.baseURI).href;
  const simd = wasmFeatures().simd ? 'SIMD' : 'no SIMD';
  return start(createWasmBackend({ wasmPaths }), `WebAssembly, ${simd}${note ? `; ${note}` : ''}`);
}

/** Starts the backend asked for (`'webgpu'`, `'wasm'`, `'cpu'`), or the best one here (`null`). */
export async function startBackend(requested: string | null): Promise<StartedBackend> {
  if (requested === 'cpu') return { ...(await start(cpu.backends![0]!, 'plain JavaScript (asked for with ?backend=cpu)')), plugin: cpu };
  if (requested === 'wasm') return startWasm('asked for with ?backend=wasm');
  const gpu = createWebGpuBackend();
  const report = await gpu.isSupported();
  if (!report.supported) return startWasm(`no WebGPU: ${report.reason ?? 'not supported here'}`);
  try {
    await gpu.setup();
  } catch (error) {
    return startWasm(`WebGPU could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  const adapter = gpu.adapterSummary();
  const name = adapter ? [adapter.vendor, adapter.architecture, adapter.description].filter((p) => p).join(' / ') || adapter.name : 'unknown';
  return {
    name: tf.getBackend(),
    detail: `WebGPU adapter: ${name}`,
    plugin: { specificationVersion: 'v1', name: 'explorer-webgpu', backends: [gpu] },
  };
}
