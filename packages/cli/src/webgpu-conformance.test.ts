/**
 * The backend conformance suite of @nrm/testkit on WebGPU in Node: Dawn with whatever adapter
 * it finds (on a machine without a GPU, Mesa's software OpenGL, llvmpipe). Skipped with a printed
 * notice only where there is no adapter at all (no Mesa, no GPU driver); CI installs Mesa
 * (libegl1 libegl-mesa0 libgl1-mesa-dri) so that it runs there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { BackendLimitError, createExplainer, createRegistry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { loadFixtureCase, runConformanceSuite } from '@nrm/testkit';
import { createWebGpuBackend, webgpuBackend } from '@nrm/backend-webgpu';

const report = await webgpuBackend.isSupported();
if (!report.supported) console.warn(`[webgpu-conformance] skipped, no WebGPU adapter here: ${report.reason}`);

describe.skipIf(!report.supported)('conformance on webgpu (Node, Dawn)', () => {
  afterAll(() => webgpuBackend.dispose());

  it('passes every check of the conformance suite', async () => {
    const started = performance.now();
    // The engine's NaN/Inf check reads synchronously, which WebGPU in Node cannot.
    const result = await runConformanceSuite(webgpuBackend, { plugins: [lrp, gradientMethods], checkFinite: false });
    const summary = webgpuBackend.adapterSummary()!;
    console.info(`[webgpu-conformance] ${result.checks.length} checks on ${summary.name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(result.backend).toBe('webgpu');
    expect(result.checks.length).toBeGreaterThan(30);
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('checks data moved from another backend before it gets a GPU buffer', async () => {
    await cpuBackend.setup();
    const onCpu = tf.tensor1d(new Float32Array(2000).fill(1)); // 8000 bytes on the cpu backend
    const small = createWebGpuBackend({ maxBindingBytes: 4096 });
    await small.setup();
    try {
      const before = tf.memory().numTensors;
      expect(() => tf.tidy(() => tf.mul(onCpu, 2))).toThrow(BackendLimitError);
      expect(tf.memory().numTensors).toBe(before);
      // The tensor itself survives, its values still on the CPU.
      expect((await onCpu.data()).every((v) => v === 1)).toBe(true);
    } finally {
      onCpu.dispose();
      await small.dispose();
    }
  });

  it('refuses a model whose parameter exceeds the limit while the explainer uploads it, leaking nothing', async () => {
    // vgg_tiny's dense1 kernel, [256, 32] = 32768 bytes, plays VGG16's 411 MB dense kernel.
    await cpuBackend.setup(); // loadGraph builds the tfjs-layers model; the graph keeps host copies
    const graph = await loadGraph(loadFixtureCase('vgg_tiny').modelPath);
    const small = createWebGpuBackend({ maxBindingBytes: 16384 });
    await small.setup();
    try {
      const before = tf.memory();
      let caught: unknown;
      try {
        createExplainer({ graph, registry: createRegistry([lrp]), composite: 'epsilon', checkFinite: false }).dispose();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(BackendLimitError);
      expect((caught as BackendLimitError).shape).toEqual([256, 32]);
      expect((caught as BackendLimitError).message).toContain('a float32 tensor of shape [256, 32] needs 32768 bytes');
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
    } finally {
      await small.dispose();
    }
  });
});
