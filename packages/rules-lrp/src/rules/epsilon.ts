import * as tf from '@tensorflow/tfjs-core';
import { LINEAR_OPS, SUM_OPS, type Rule } from '@nrm/core';

/** Options of {@link epsilon}. */
export interface EpsilonOptions {
  /** Stabilizer ε; 1e-6 is practically LRP-0. */
  readonly epsilon: number;
}

/**
 * LRP-ε: `R_in = x ⊙ Wᵀ[R ⊘ stab_ε(Wx + b)]`. With ε → 0 this is LRP-0; a larger ε absorbs the
 * relevance of weakly activated neurons (it does not conserve relevance).
 */
export const epsilon: Rule<EpsilonOptions> = {
  specificationVersion: 'v1',
  id: 'lrp/epsilon',
  meta: {
    name: 'Epsilon',
    description: 'LRP-ε: relevance in proportion to each input contribution x·w, stabilized by ε.',
    appliesTo: [...LINEAR_OPS, ...SUM_OPS],
    defaultOptions: { epsilon: 1e-6 },
    conservative: true,
    formula: 'R_in = x ⊙ Wᵀ[R ⊘ stab_ε(Wx + b)]',
    docs: { cite: 'Bach et al. 2015, PLOS ONE 10(7): e0130140' },
  },
  create(options) {
    if (!(options.epsilon >= 0) || !Number.isFinite(options.epsilon)) {
      throw new RangeError(`lrp/epsilon: epsilon must be a finite number ≥ 0, got ${options.epsilon}`);
    }
    return {
      branches: [{}],
      mapSeed: (r, [z], { stabilize }) => [tf.div(r, stabilize(z!, options.epsilon))],
    };
  },
};
