/**
 * The WebGPU backend in Node on whatever adapter Dawn finds here (Mesa's software OpenGL on a
 * machine without a GPU): set-up, the buffer-limit guard, synchronous reads, disposal. Skipped,
 * with a printed notice, only where there is no adapter at all.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendLimitError, BackendUnavailableError } from '@nrm/core';
import { createWebGpuBackend, webgpuBackend } from './index.js';

const report = await webgpuBackend.isSupported();
if (!report.supported) console.warn(`[@nrm/backend-webgpu] WebGPU tests skipped: ${report.reason}`);

/** Runs `f`, expects a BackendLimitError, and checks that no tensor or GPU data was left behind. */
function expectLimitError(f: () => unknown): BackendLimitError {
  const before = tf.memory();
  let caught: unknown;
  try {
    tf.tidy(() => void f());
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(BackendLimitError);
  const after = tf.memory();
  expect(after.numTensors).toBe(before.numTensors);
  expect(after.numDataBuffers).toBe(before.numDataBuffers);
  return caught as BackendLimitError;
}

describe.skipIf(!report.supported)('webgpu backend in Node', () => {
  afterAll(() => webgpuBackend.dispose());

  it('finds an adapter, sets tfjs up on it and computes', async () => {
    await webgpuBackend.setup();
    expect(tf.getBackend()).toBe('webgpu');
    const s = webgpuBackend.adapterSummary()!;
    expect(s.maxBindingBytes).toBe(Math.min(s.maxStorageBufferBindingSize, s.maxBufferSize));
    expect(s.name.length).toBeGreaterThan(0);
    console.info(`[@nrm/backend-webgpu] adapter: ${s.name} (${s.featureLevel}${s.dawnOptions?.length ? `, ${s.dawnOptions.join(' ')}` : ''}), maxStorageBufferBindingSize ${s.maxStorageBufferBindingSize}`);
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2])));
    expect(Array.from(await y.data())).toEqual([4, 5, 10, 11]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses synchronous reads of GPU data with a typed error, and reads CPU data', async () => {
    await webgpuBackend.setup();
    const x = tf.tensor1d([1, 2, 3]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3]); // not uploaded yet: still on the CPU
    const y = tf.tidy(() => tf.mul(tf.add(x, tf.slice(tf.ones([2000]), 0, 3)), 2));
    expect(() => y.dataSync()).toThrow(BackendLimitError);
    expect(() => y.dataSync()).toThrow(/synchronous read .* shape \[3\] .*not possible in Node.*await tensor\.data\(\).*checkFinite: false/);
    expect(Array.from(await y.data())).toEqual([4, 6, 8]);
    expect(Array.from(y.dataSync())).toEqual([4, 6, 8]); // read once, cached on the CPU
    tf.dispose([x, y]);
  });

  it('raises BackendLimitError for a tensor just above the adapter limit, and for VGG16’s first dense kernel', async () => {
    await webgpuBackend.setup();
    const limit = webgpuBackend.adapterSummary()!.maxBindingBytes;
    const elements = limit / 4 + 1;
    const upload = expectLimitError(() => tf.tensor1d(new Float32Array(elements)));
    expect(upload.bytes).toBe(limit + 4);
    expect(upload.limitBytes).toBe(limit);
    expect(upload.shape).toEqual([elements]);
    expect(upload.limit).toBe('maxStorageBufferBindingSize');
    expect(upload.message).toContain(`a float32 tensor of shape [${elements}] needs ${limit + 4} bytes`);
    expect(upload.message).toContain(`this adapter's maxStorageBufferBindingSize, ${limit} bytes`);
    expect(upload.message).toMatch(/Fix: explain on the wasm backend.*; or use a smaller input or batch; or split the layer/);
    const vgg = expectLimitError(() => tf.zeros([25088, 4096]));
    expect(vgg.bytes).toBe(411041792);
    expect(vgg.message).toContain('a float32 tensor of shape [25088, 4096] needs 411041792 bytes (392.0 MiB)');
  });

  it('computes on a tensor of exactly the limit correctly', async () => {
    await webgpuBackend.setup();
    const limit = webgpuBackend.adapterSummary()!.maxBindingBytes;
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => tf.mul(tf.ones([limit / 4]), 2));
    const data = await y.data();
    y.dispose();
    expect(data.length).toBe(limit / 4);
    expect(data.every((v) => v === 2)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks uploads and kernel outputs against a lower maxBindingBytes', async () => {
    const small = createWebGpuBackend({ maxBindingBytes: 4096 });
    await small.setup();
    try {
      expect(small.adapterSummary()!.maxBindingBytes).toBe(4096);
      const upload = expectLimitError(() => tf.tensor1d(new Float32Array(1025)));
      expect(upload.message).toContain('the maxBindingBytes option, 4096 bytes (0.0 MiB) (the adapter');
      // A kernel output above the limit (its inputs are small), inside a tidy with other work.
      const output = expectLimitError(() => tf.add(tf.ones([40, 1]), tf.mul(tf.ones([1, 40]), 2)));
      expect(output.shape).toEqual([40, 40]);
      expect(output.bytes).toBe(6400);
      // An int32 output counts 4 bytes an element too.
      expect(expectLimitError(() => tf.range(0, 1025, 1, 'int32')).message).toContain('an int32 tensor of shape [1025] needs 4100 bytes');
      // Exactly at the limit: fine.
      const ok = tf.tidy(() => tf.sum(tf.add(tf.ones([32, 1]), tf.ones([1, 32]))));
      expect((await ok.data())[0]).toBe(2048);
      ok.dispose();
    } finally {
      await small.dispose();
    }
  });

  it('pads rank-5 and rank-6 tensors correctly (tfjs-backend-webgpu 4.22 computes garbage there)', async () => {
    await webgpuBackend.setup();
    for (const shape of [
      [2, 3, 1, 40, 1, 5],
      [3, 1, 40, 1, 9],
    ]) {
      const paddings = shape.map((d, i) => (d === 1 ? [0, 2] : i === 1 ? [1, 0] : [0, 0])) as [number, number][];
      const size = shape.reduce((a, b) => a * b, 1);
      const host = Float32Array.from({ length: size }, (_, i) => i + 1);
      // The expected result, padded on the host.
      const outShape = shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
      const expected = new Float32Array(outShape.reduce((a, b) => a * b, 1)).fill(-1);
      const strides = (dims: number[]) => dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
      const [inStrides, outStrides] = [strides(shape), strides(outShape)];
      for (let i = 0; i < size; i++) {
        let at = 0;
        shape.forEach((_, d) => (at += (Math.floor(i / inStrides[d]!) % shape[d]! + paddings[d]![0]) * outStrides[d]!));
        expected[at] = host[i]!;
      }
      const before = tf.memory();
      const y = tf.tidy(() => tf.pad(tf.tensor(host, shape), paddings, -1));
      expect(y.shape).toEqual(outShape);
      expect(Array.from(await y.data())).toEqual(Array.from(expected));
      y.dispose();
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
    }
  });

  it('turns a GPU error tfjs ignores (a shader that does not compile) into a typed error, and keeps computing', async () => {
    await webgpuBackend.setup();
    const x = tf.tensor(Float32Array.from({ length: 2520 }, (_, i) => i), [3, 4, 5, 6, 7]);
    const ok = tf.mul(x, 2); // batched with the failing program below
    // tfjs-backend-webgpu 4.22's StridedSlice does not compile at rank 5.
    const err = expectLimitError(() => tf.stridedSlice(x, [0, 0, 0, 0, 0], [3, 4, 5, 6, 7], [1, 2, 1, 2, 1]));
    expect(err.limit).toBe('GPU errors');
    expect(err.message).toMatch(/the GPU reported an error during StridedSliceProgram on \[\[3, 4, 5, 6, 7\]\]: "Error while parsing WGSL.*Fix: use the wasm backend/);
    expect((await ok.data())[2519]).toBe(5038);
    const after = tf.sum(tf.mul(x, 3));
    expect((await after.data())[0]).toBe((3 * 2519 * 2520) / 2);
    tf.dispose([x, ok, after]);
  });

  it('dispose() removes the tfjs backend, the device and the Node globals; setup() starts again', async () => {
    await webgpuBackend.setup();
    await webgpuBackend.dispose();
    expect(tf.findBackendFactory('webgpu')).toBeNull();
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    expect('GPUBufferUsage' in globalThis).toBe(false);
    await webgpuBackend.setup();
    const y = tf.square(tf.scalar(3));
    expect((await y.data())[0]).toBe(9);
    y.dispose();
  });
});

describe('webgpu backend options', () => {
  it('rejects a non-positive maxBindingBytes and reports setup failures as BackendUnavailableError', async () => {
    expect(() => createWebGpuBackend({ maxBindingBytes: 0 })).toThrow(RangeError);
    const none = createWebGpuBackend({ loadDawn: () => Promise.reject(new Error('nope')) });
    const r = await none.isSupported();
    expect(r.supported).toBe(false);
    await expect(none.setup()).rejects.toThrow(BackendUnavailableError);
    expect(none.adapterSummary()).toBeUndefined();
  });
});
