import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, type Backend, type Registry } from '@nrm/core';

/** The backend the CLI started last (disposed by `bin.ts` before the process exits). */
let started: Backend | undefined;

/**
 * Starts a backend (once per process; switching is allowed). `name` is one id (`wasm`), or a
 * comma-separated list of preferences (`tensorflow,webgpu,wasm`): the first supported one is used
 * and each skipped one is reported on `notice` in one line.
 */
export async function useBackend(registry: Registry, name: string, notice: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<Backend> {
  const names = name
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let backend: Backend;
  if (names.length > 1) {
    backend = await registry.selectBackend(names, { notice });
  } else {
    backend = registry.backend(names[0] ?? name);
    const report = await backend.isSupported();
    if (!report.supported) throw new BackendUnavailableError(backend.id, report.reason);
  }
  if (tf.getBackend() !== backend.id) await backend.setup();
  started = backend;
  return backend;
}

/** Releases what the last started backend holds (a WebGPU device, …); call before exiting. */
export async function releaseBackend(): Promise<void> {
  const backend = started;
  started = undefined;
  await backend?.dispose?.();
}
