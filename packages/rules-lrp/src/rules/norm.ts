import * as tf from '@tensorflow/tfjs-core';
import { SUM_OPS, type Rule } from '@nrm/core';

/**
 * Norm, for parameter-free sums (residual Add, average pooling, global average pooling):
 * each summand gets relevance in proportion to its share, `R_i = x_i ⊙ R ⊘ stab(y)` (for a mean,
 * `x_i · R / (stab(y) · n)`), with ε = 1e-6.
 */
export const norm: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'lrp/norm',
  meta: {
    name: 'Norm',
    description: 'Relevance of a sum or average split in proportion to each summand.',
    appliesTo: SUM_OPS,
    defaultOptions: {},
    conservative: true,
    formula: 'R_i = x_i ⊙ Wᵀ[R ⊘ stab(y)]  (W the sum or averaging map)',
  },
  create() {
    return { branches: [{}], mapSeed: (r, [z], { stabilize }) => [tf.div(r, stabilize(z!, 1e-6))] };
  },
};
