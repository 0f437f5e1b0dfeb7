import * as tf from '@tensorflow/tfjs-core';
import { LINEAR_OPS, type Rule } from '@nrm/core';

/** w²: relevance in proportion to the squared weights, `R_in = W²ᵀ[R ⊘ stab(W²·𝟙)]`. */
export const wSquare: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'lrp/w-square',
  meta: {
    name: 'WSquare',
    description: 'LRP-w²: relevance in proportion to squared weights (independent of x).',
    appliesTo: LINEAR_OPS,
    defaultOptions: {},
    conservative: true,
    formula: 'R_in = W²ᵀ[R ⊘ stab(W²·𝟙)]',
    docs: { cite: 'Montavon et al. 2017, Pattern Recognition 65: 211–222' },
  },
  create() {
    return {
      branches: [{ input: 'ones', param: (p, name) => (name === 'bias' ? null : tf.square(p)) }],
      mapSeed: (r, [z], { stabilize }) => [tf.div(r, stabilize(z!, 1e-6))],
    };
  },
};
