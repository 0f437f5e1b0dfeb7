/**
 * The dense matrix form of a linear node: `z = A x + b` with the inputs concatenated, found by
 * running the node's own forward on basis vectors (exact in float32: each output is one weight).
 */
import * as tf from '@tensorflow/tfjs-core';
import { scoped } from './scoped.js';
import { OPS, type DeviceParams, type IRNode } from '@nrm/core';

/** `A` (row-major, `[out][in]`, float64) and `b` (per output). */
export interface MatrixForm {
  readonly A: Float64Array;
  readonly b: Float64Array;
  readonly nIn: number;
  readonly nOut: number;
}

/** Builds the matrix form of `node` for one batch row with inputs of the given shapes (no batch axis). */
export function matrixForm(node: IRNode, inputShapes: readonly (readonly number[])[], params: DeviceParams | undefined): MatrixForm {
  const sizes = inputShapes.map((s) => s.reduce((a, b) => a * b, 1));
  const nIn = sizes.reduce((a, b) => a + b, 0);
  const op = OPS[node.op];
  return scoped(() => {
    const noBias = params ? { kernel: params.kernel } : undefined;
    const columns: Float32Array[] = [];
    let offset = 0;
    for (let k = 0; k < sizes.length; k++) {
      const basis = tf.reshape(tf.eye(sizes[k]!), [sizes[k]!, ...inputShapes[k]!]);
      const inputs = inputShapes.map((s, j) => (j === k ? basis : tf.zeros([sizes[k]!, ...s])));
      columns.push(op.forward(node, inputs, noBias).dataSync() as Float32Array);
      offset += sizes[k]!;
    }
    const zeroInputs = inputShapes.map((s) => tf.zeros([1, ...s]));
    const b = Float64Array.from(op.forward(node, zeroInputs, params).dataSync());
    const nOut = b.length;
    const A = new Float64Array(nOut * nIn);
    let col = 0;
    columns.forEach((block, k) => {
      for (let i = 0; i < sizes[k]!; i++, col++) for (let o = 0; o < nOut; o++) A[o * nIn + col] = block[i * nOut + o]!;
    });
    void offset;
    return { A, b, nIn, nOut };
  });
}
