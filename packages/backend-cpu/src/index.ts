/**
 * `@nrm/backend-cpu`: the pure-JavaScript tfjs backend. Slow (≈0.5–0.9 GFLOP/s here), exact, and
 * available everywhere: for small models and tests.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Backend, Plugin } from '@nrm/core';

/** The cpu backend: `createRegistry([cpu, ...])`, then `await registry.backend('cpu').setup()`. */
export const cpuBackend: Backend = {
  specificationVersion: 'v1',
  id: 'cpu',
  isSupported: () => Promise.resolve({ supported: true }),
  async setup() {
    // Loading the module registers the kernels with tfjs-core; done here, not at import time.
    await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend('cpu'))) throw new Error('tfjs refused to start the cpu backend');
    await tf.ready();
  },
};

/** The plugin carrying {@link cpuBackend}. */
export const cpu: Plugin = { specificationVersion: 'v1', name: '@nrm/backend-cpu', backends: [cpuBackend] };
