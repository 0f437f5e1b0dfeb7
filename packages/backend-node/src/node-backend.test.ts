import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '@nrm/core';
import { createNodeBackend, node, nodeBackend, nodeGpuBackend } from './index.js';

/** A do-nothing tfjs backend (enough for `tf.setBackend`). */
class StubBackend extends tf.KernelBackend {
  override floatPrecision(): 32 {
    return 32;
  }
  override dispose(): void {}
}

const installed = await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/')).then(
  () => true,
  () => false,
);

describe('@nrm/backend-node', () => {
  it.skipIf(installed)('reports tfjs-node as unsupported where it is not installed, naming the package and the libtensorflow download', async () => {
    const report = await nodeBackend.isSupported();
    expect(report).toEqual({
      supported: false,
      reason:
        "package '@tensorflow/tfjs-node' is not installed (an optional peer dependency): npm install @tensorflow/tfjs-node@4.22.0 " +
        '(its installer downloads libtensorflow from storage.googleapis.com, which fails offline or behind a proxy); or use the wasm backend',
    });
    const gpu = await nodeGpuBackend.isSupported();
    expect(!gpu.supported && gpu.reason).toMatch(/^package '@tensorflow\/tfjs-node-gpu' is not installed.*libtensorflow for CUDA/);
    await expect(nodeBackend.setup()).rejects.toThrow(BackendUnavailableError);
    await expect(nodeBackend.setup()).rejects.toThrow(/Backend 'tensorflow' is not available here: package '@tensorflow\/tfjs-node' is not installed/);
    expect(node.backends).toEqual([nodeBackend]);
    expect(nodeBackend.id).toBe('tensorflow');
  });

  it('names a native addon that fails to load with the first line of its error (never throwing)', async () => {
    const addon = new Error(
      "The specified module could not be found.\n\\\\?\\C:\\app\\node_modules\\@tensorflow\\tfjs-node\\lib\\napi-v8\\tfjs_binding.node",
    );
    const backend = createNodeBackend({ load: () => Promise.reject(addon) });
    const report = await backend.isSupported();
    expect(!report.supported && report.reason).toBe(
      "the native addon of '@tensorflow/tfjs-node' failed to load (The specified module could not be found.): reinstall it with " +
        'npm install @tensorflow/tfjs-node@4.22.0 (its installer downloads libtensorflow from storage.googleapis.com, which fails offline or behind a proxy), ' +
        'check that its libtensorflow matches this OS and CPU; or use the wasm backend',
    );
    // A missing file inside the package is a broken install, not a missing package.
    const missingBinding = Object.assign(new Error("Cannot find module '@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'"), { code: 'MODULE_NOT_FOUND' });
    const broken = await createNodeBackend({ load: () => Promise.reject(missingBinding) }).isSupported();
    expect(!broken.supported && broken.reason).toMatch(/^the native addon of '@tensorflow\/tfjs-node' failed to load \(Cannot find module/);
    const thrower = createNodeBackend({
      load: () => {
        throw new Error('synchronous failure');
      },
    });
    expect(await thrower.isSupported()).toEqual({ supported: false, reason: expect.stringContaining('synchronous failure') });
  });

  it('explains a package that registers no tensorflow backend with this tfjs-core', async () => {
    const report = await createNodeBackend({ load: () => Promise.resolve({}) }).isSupported();
    expect(!report.supported && report.reason).toMatch(/registered no 'tensorflow' backend with this copy of @tensorflow\/tfjs-core \(4\.22\.0\)/);
  });

  it('sets up the tensorflow backend once the package loads, leaving the active backend alone in isSupported()', async () => {
    tf.registerBackend('stub-before', () => new StubBackend());
    await tf.setBackend('stub-before');
    // What tfjs-node does on import: register 'tensorflow' and switch to it.
    const load = async () => {
      tf.registerBackend('tensorflow', () => new StubBackend(), 3);
      await tf.setBackend('tensorflow');
    };
    const backend = createNodeBackend({ load });
    try {
      expect(await backend.isSupported()).toEqual({ supported: true });
      expect(tf.getBackend()).toBe('stub-before');
      await backend.setup();
      expect(tf.getBackend()).toBe('tensorflow');
    } finally {
      tf.removeBackend('tensorflow');
      tf.removeBackend('stub-before');
    }
  });
});
