/**
 * Adjoint tests: for every linear op the engine transposes, ⟨A x, y⟩ = ⟨x, Aᵀ y⟩, and the fast
 * transposed convolution equals tfjs's own conv2dTranspose — on cpu and on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import type { IRNode } from '../ir.js';
import { conv2dBackwardInput } from './conv2d-backward.js';
import { OPS } from './registry-of-ops.js';

const dot = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(a, b)).dataSync()[0]!;

function adjointGap(node: IRNode, inputShapes: number[][], params?: { kernel: tf.Tensor }): number {
  return tf.tidy(() => {
    const op = OPS[node.op];
    const xs = inputShapes.map((s, i) => tf.randomUniform(s, -1, 1, 'float32', 11 + i));
    const y = op.forward(node, xs, params);
    const s = tf.randomUniform(y.shape, -1, 1, 'float32', 5);
    const back = op.transpose!(node, s, params, inputShapes);
    const lhs = dot(y, s);
    const rhs = back.reduce((acc, b, i) => acc + dot(xs[i]!, b), 0);
    return Math.abs(lhs - rhs) / Math.max(1, Math.abs(lhs));
  });
}

const conv = (attrs: object, outputShape: number[]): IRNode => ({ id: 'c', op: 'conv2d', inputs: ['x'], attrs, outputShape }) as IRNode;

for (const backend of ['cpu', 'wasm']) {
  describe(`backward ops on ${backend}`, () => {
    it('starts the backend', async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });
    const convCases: [string, number[], number[], [number, number], 'same' | 'valid', [number, number]][] = [
      ['3x3 same', [2, 7, 6, 3], [3, 3, 3, 4], [1, 1], 'same', [1, 1]],
      ['3x3 valid', [1, 7, 6, 3], [3, 3, 3, 4], [1, 1], 'valid', [1, 1]],
      ['2x2 same (even kernel)', [1, 5, 5, 2], [2, 2, 2, 3], [1, 1], 'same', [1, 1]],
      ['7x7 stride 2 valid (odd remainder)', [1, 20, 19, 3], [7, 7, 3, 2], [2, 2], 'valid', [1, 1]],
      ['1x1 stride 2 valid', [1, 8, 8, 4], [1, 1, 4, 3], [2, 2], 'valid', [1, 1]],
      ['3x3 stride 2 same', [1, 9, 8, 2], [3, 3, 2, 2], [2, 2], 'same', [1, 1]],
      ['7x7 stride 2 same, batch 2 (phases in one conv)', [2, 11, 12, 3], [7, 7, 3, 2], [2, 2], 'same', [1, 1]],
      ['3x3 stride 2 same, 20 channels (one conv per phase)', [1, 9, 8, 20], [3, 3, 20, 3], [2, 2], 'same', [1, 1]],
      ['2x2 stride 3 valid (phases without taps)', [1, 11, 10, 2], [2, 2, 2, 3], [3, 3], 'valid', [1, 1]],
      ['3x3 dilation 2 same', [1, 9, 9, 2], [3, 3, 2, 2], [1, 1], 'same', [2, 2]],
    ];
    for (const [name, xShape, kShape, strides, padding, dilations] of convCases) {
      it(`conv2d ${name}: adjoint holds and matches tf.conv2dTranspose`, () => {
        const kernel = tf.randomUniform(kShape, -1, 1, 'float32', 2) as tf.Tensor4D;
        const y = tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, kernel, strides, padding, 'NHWC', dilations);
        const node = conv({ strides, padding, dilations }, y.shape.slice(1));
        expect(adjointGap(node, [xShape], { kernel })).toBeLessThan(1e-5);
        if (dilations[0] === 1) {
          const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 9) as tf.Tensor4D;
          const fast = conv2dBackwardInput(dy, kernel, [xShape[1]!, xShape[2]!], strides, padding);
          const slow = tf.conv2dTranspose(dy, kernel, xShape as [number, number, number, number], strides, padding);
          expect(tf.max(tf.abs(tf.sub(fast, slow))).dataSync()[0]).toBeLessThan(1e-5);
        }
        tf.dispose([kernel, y]);
      });
    }
    it('conv2dTranspose, depthwise, dense, batchNorm: adjoints hold', () => {
      const k = (s: number[]) => tf.randomUniform(s, -1, 1, 'float32', 4);
      expect(adjointGap({ id: 't', op: 'conv2dTranspose', inputs: ['x'], attrs: { strides: [2, 2], padding: 'same' }, outputShape: [8, 8, 3] }, [[1, 4, 4, 2]], { kernel: k([3, 3, 3, 2]) })).toBeLessThan(1e-5);
      expect(adjointGap({ id: 't', op: 'conv2dTranspose', inputs: ['x'], attrs: { strides: [2, 2], padding: 'valid' }, outputShape: [9, 9, 1] }, [[1, 4, 4, 2]], { kernel: k([3, 3, 1, 2]) })).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'd', op: 'depthwiseConv2d', inputs: ['x'], attrs: { strides: [2, 2], padding: 'same', dilations: [1, 1] }, outputShape: [3, 3, 4] }, [[1, 6, 6, 2]], { kernel: k([3, 3, 2, 2]) })).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'f', op: 'dense', inputs: ['x'], attrs: {}, outputShape: [3] }, [[2, 5]], { kernel: k([5, 3]) })).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'b', op: 'batchNorm', inputs: ['x'], attrs: {}, outputShape: [2, 2, 3] }, [[1, 2, 2, 3]], { kernel: k([3]) })).toBeLessThan(1e-5);
    });
    it('dense transpose equals s·Wᵀ, for a small kernel (transposed copy) and a large one (W·sᵀ), one row and several', () => {
      for (const [inF, outF] of [[5, 3], [2000, 2001]] as const) {
        const kernel = tf.randomUniform([inF, outF], -1, 1, 'float32', 4);
        const node: IRNode = { id: 'f', op: 'dense', inputs: ['x'], attrs: {}, outputShape: [outF] } as IRNode;
        for (const rows of [1, 3]) {
          const s = tf.randomUniform([rows, outF], -1, 1, 'float32', 6);
          const [got] = OPS.dense.transpose!(node, s, { kernel }, [[rows, inF]]);
          const want = tf.matMul(s, kernel as tf.Tensor2D, false, true);
          expect(got!.shape).toEqual([rows, inF]);
          expect(tf.max(tf.abs(tf.sub(got!, want))).dataSync()[0]).toBeLessThan(1e-3);
          tf.dispose([s, got!, want]);
        }
        kernel.dispose();
      }
    });
    it('pooling, padding, upsampling, concat, add, flatten, reshape: adjoints hold', () => {
      const pool = { poolSize: [3, 3], strides: [2, 2] };
      expect(adjointGap({ id: 'p', op: 'avgPool2d', inputs: ['x'], attrs: { ...pool, padding: 'same' }, outputShape: [4, 3, 2] } as IRNode, [[1, 7, 6, 2]])).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'p', op: 'avgPool2d', inputs: ['x'], attrs: { ...pool, padding: 'valid' }, outputShape: [3, 2, 2] } as IRNode, [[1, 7, 6, 2]])).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'g', op: 'globalAvgPool2d', inputs: ['x'], attrs: { keepDims: false }, outputShape: [2] }, [[2, 3, 4, 2]])).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'z', op: 'zeroPadding2d', inputs: ['x'], attrs: { padding: [[1, 2], [3, 0]] }, outputShape: [6, 7, 2] }, [[1, 3, 4, 2]])).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'u', op: 'upSampling2d', inputs: ['x'], attrs: { size: [2, 3] }, outputShape: [6, 12, 2] }, [[1, 3, 4, 2]])).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'c', op: 'concat', inputs: ['a', 'b'], attrs: { axis: 3 }, outputShape: [3, 4, 5] }, [[1, 3, 4, 2], [1, 3, 4, 3]])).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'a', op: 'add', inputs: ['a', 'b'], attrs: {}, outputShape: [3, 4, 2] }, [[1, 3, 4, 2], [1, 3, 4, 2]])).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'f', op: 'flatten', inputs: ['x'], attrs: {}, outputShape: [24] }, [[2, 3, 4, 2]])).toBeLessThan(1e-5);
      expect(adjointGap({ id: 'r', op: 'reshape', inputs: ['x'], attrs: { targetShape: [6, 4] }, outputShape: [6, 4] }, [[2, 3, 4, 2]])).toBeLessThan(1e-5);
    });
    it('max-pool backward on non-overlapping tiles: first maximum wins, the remainder gets nothing', () => {
      // 5x5 input, 2x2/2 valid pool: the last row and column are not covered. Ties of 0 pick the first.
      const x = tf.tensor4d([1, 2, 0, 0, 9, 3, 1, 0, 0, 9, 5, 5, 4, 1, 9, 5, 2, 2, 4, 9, 9, 9, 9, 9, 9], [1, 5, 5, 1]);
      const node = { id: 'm', op: 'maxPool2d', inputs: ['x'], attrs: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, outputShape: [2, 2, 1] } as IRNode;
      const y = OPS.maxPool2d.forward(node, [x], undefined);
      expect(Array.from(y.dataSync())).toEqual([3, 0, 5, 4]);
      const r = OPS.maxPool2d.vjp(node, tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), [x], y, undefined)[0]!;
      const expected = new Array(25).fill(0);
      [expected[5], expected[2], expected[10], expected[12]] = [1, 2, 3, 4];
      expect(Array.from(r.dataSync())).toEqual(expected);
      tf.dispose([x, y, r]);
    });
    it('max-pool backward sends each window to its first maximum and sums overlapping wins', () => {
      const x = tf.tensor4d([1, 9, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 9, 9, 0, 1], [1, 4, 4, 1]);
      const node = { id: 'm', op: 'maxPool2d', inputs: ['x'], attrs: { poolSize: [3, 3], strides: [1, 1], padding: 'valid' }, outputShape: [2, 2, 1] } as IRNode;
      const y = OPS.maxPool2d.forward(node, [x], undefined);
      expect(Array.from(y.dataSync())).toEqual([9, 9, 9, 9]);
      const r = OPS.maxPool2d.vjp(node, tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), [x], y, undefined)[0]!;
      // Windows at (0,0) and (0,1) pick the 9 at (0,1); windows at (1,0), (1,1) pick the first 9 in row 3.
      expect(Array.from(r.dataSync())).toEqual([0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0]);
      tf.dispose([x, y, r]);
    });
  });
}
