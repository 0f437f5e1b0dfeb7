import * as tf from '@tensorflow/tfjs-core';
import type { Rule } from '@nrm/core';

/**
 * Zeiler & Fergus' deconvnet through a ReLU: the backward signal is rectified, and the forward
 * pass's mask `[x > 0]` is ignored: `R_in = relu(R)`.
 *
 * Used by the `deconvnet` composite; every other node there takes the gradient (max-unpooling
 * with the forward's switches, transposed filters).
 */
export const deconvnetRelu: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'gradient/deconvnet-relu',
  meta: {
    name: 'DeconvnetRelu',
    description: 'ReLU applied to the backward signal, ignoring the forward mask (deconvnet).',
    appliesTo: ['relu'],
    defaultOptions: {},
    conservative: false,
    formula: 'R_in = max(R, 0)',
    docs: { cite: 'Zeiler & Fergus 2014, Visualizing and Understanding Convolutional Networks, ECCV' },
  },
  create: () => ({ propagate: (r) => [tf.relu(r)] }),
};
