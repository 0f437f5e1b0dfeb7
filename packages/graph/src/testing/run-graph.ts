/**
 * Test support: a straightforward forward pass of an IR graph with tfjs-core ops, used to check
 * translations and passes against `model.predict`.
 */
import type { Graph, IRNode } from '@nrm/core';
import * as tf from '@tensorflow/tfjs-core';

const t4 = (x: tf.Tensor): tf.Tensor4D => x as tf.Tensor4D;

function linearParams(node: IRNode): { kernel: tf.Tensor; bias: tf.Tensor | undefined } {
  if (!node.params) throw new Error(`node '${node.id}' has no params`);
  const { kernel, bias } = node.params;
  return {
    kernel: tf.tensor(kernel.data, [...kernel.shape]),
    bias: bias ? tf.tensor(bias.data, [...bias.shape]) : undefined,
  };
}

function forward(node: IRNode, xs: tf.Tensor[]): tf.Tensor {
  const [x] = xs as [tf.Tensor];
  const batch = x.shape[0] ?? 1;
  switch (node.op) {
    case 'input':
      return x;
    case 'dense':
    case 'conv2d':
    case 'conv2dTranspose':
    case 'depthwiseConv2d':
    case 'batchNorm': {
      const { kernel, bias } = linearParams(node);
      let y: tf.Tensor;
      if (node.op === 'dense') y = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
      else if (node.op === 'conv2d')
        y = tf.conv2d(t4(x), kernel as tf.Tensor4D, node.attrs.strides, node.attrs.padding, 'NHWC', node.attrs.dilations);
      else if (node.op === 'depthwiseConv2d')
        y = tf.depthwiseConv2d(t4(x), kernel as tf.Tensor4D, node.attrs.strides, node.attrs.padding, 'NHWC', node.attrs.dilations);
      else if (node.op === 'conv2dTranspose') {
        const [h, w, c] = node.outputShape as [number, number, number];
        y = tf.conv2dTranspose(t4(x), kernel as tf.Tensor4D, [batch, h, w, c], node.attrs.strides, node.attrs.padding);
      } else y = tf.mul(x, kernel);
      return bias ? tf.add(y, bias) : y;
    }
    case 'relu':
      return tf.relu(x);
    case 'maxPool2d':
      return tf.maxPool(t4(x), node.attrs.poolSize, node.attrs.strides, node.attrs.padding);
    case 'avgPool2d':
      return tf.avgPool(t4(x), node.attrs.poolSize, node.attrs.strides, node.attrs.padding);
    case 'globalAvgPool2d':
      return tf.mean(x, [1, 2], node.attrs.keepDims);
    case 'globalMaxPool2d':
      return tf.max(x, [1, 2], node.attrs.keepDims);
    case 'flatten':
    case 'reshape':
      return tf.reshape(x, [batch, ...node.outputShape]);
    case 'add':
      return tf.addN(xs);
    case 'concat':
      return tf.concat(xs, node.attrs.axis);
    case 'upSampling2d': {
      const [h, w] = node.outputShape as [number, number];
      return tf.image.resizeNearestNeighbor(t4(x), [h, w]);
    }
    case 'zeroPadding2d': {
      const [[t, b], [l, r]] = node.attrs.padding;
      return tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
    }
    case 'identity':
    case 'dropout':
      return x;
    case 'softmax':
      return tf.softmax(x);
  }
}

function applyActivation(node: IRNode, y: tf.Tensor): tf.Tensor {
  if (node.activation === 'relu') return tf.relu(y);
  if (node.activation === 'softmax') return tf.softmax(y);
  return y;
}

/** Runs `graph` on `x` (batch first) and returns every node's output by id. */
export function runGraph(graph: Graph, x: tf.Tensor): Map<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>();
  for (const node of graph.nodes) {
    const xs = node.op === 'input' ? [x] : node.inputs.map((id) => values.get(id) as tf.Tensor);
    values.set(node.id, applyActivation(node, forward(node, xs)));
  }
  return values;
}

/** `max |a − b| / max |b|`. */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(tf.max(tf.abs(b)).dataSync()[0]!, 1e-30));
}
