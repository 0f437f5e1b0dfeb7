import * as tf from '@tensorflow/tfjs-core';
import type { Rule } from '@nrm/core';

/**
 * Guided backpropagation through a ReLU: the backward signal is rectified **and** masked by the
 * forward pass, `R_in = relu(R) ⊙ [x > 0]` with `x` the ReLU's input (the pre-activation). It is
 * the gradient's rule (`R ⊙ [x > 0]`) and the deconvnet's (`relu(R)`) at once.
 */
export const guidedRelu: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'gradient/guided-relu',
  meta: {
    name: 'GuidedRelu',
    description: 'ReLU applied to the backward signal and the forward mask [x > 0] (guided backprop).',
    appliesTo: ['relu'],
    defaultOptions: {},
    conservative: false,
    formula: 'R_in = max(R, 0) ⊙ [x > 0]',
    docs: { cite: 'Springenberg et al. 2015, Striving for Simplicity: The All Convolutional Net, ICLR workshop' },
  },
  create: () => ({
    propagate: (r, ctx) => [tf.where(tf.greater(ctx.inputs[0]!, 0), tf.relu(r), tf.zerosLike(r))],
  }),
};
