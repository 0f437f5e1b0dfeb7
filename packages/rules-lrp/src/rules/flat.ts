import * as tf from '@tensorflow/tfjs-core';
import { LINEAR_OPS, type Rule } from '@nrm/core';

/**
 * Flat: relevance spread evenly over each output's receptive field, whatever the input.
 * `W₁` all ones (no bias), `z = W₁·𝟙`, `R_in = W₁ᵀ[R ⊘ stab(z)]`.
 */
export const flat: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'lrp/flat',
  meta: {
    name: 'Flat',
    description: 'Relevance spread uniformly over the receptive field (independent of x and W).',
    appliesTo: LINEAR_OPS,
    defaultOptions: {},
    conservative: true,
    formula: 'z = W₁·𝟙; R_in = W₁ᵀ[R ⊘ stab(z)]',
    docs: { cite: 'Lapuschkin et al. 2019, Nature Communications 10: 1096' },
  },
  create() {
    return {
      branches: [{ input: 'ones', param: (p, name) => (name === 'bias' ? null : tf.onesLike(p)) }],
      mapSeed: (r, [z], { stabilize }) => [tf.div(r, stabilize(z!, 1e-6))],
    };
  },
};
