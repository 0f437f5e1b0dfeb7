import * as tf from '@tensorflow/tfjs-core';
import { LINEAR_OPS, type Rule } from '@nrm/core';
import { broadcastPerSample, l1PerSample, rejectOptions, safeRatio, sumPerSample } from '../per-sample.js';

/**
 * R-LRP on a linear node (our reading of arXiv:2501.14322's abstract; see `docs/relative.md`).
 *
 * Division-free messages `U = x ⊙ Wᵀ R` (the bias takes no part), renormalized per sample so
 * that the layer keeps the L1 mass of the relevance it received:
 * `R_in = U · Σ|R| / Σ|U|` (every `|U_i| ≤ Σ|U|`, so no share exceeds 1: this is not a division by
 * a small value, and `|R_in| ≤ Σ|R|` element-wise; `Σ|U| = 0` gives `R_in = 0`).
 *
 * Reports, per sample: `factor` `c = Σ R_in / Σ R` (so `Σ R_in = c · Σ R` holds exactly; `1` where
 * `Σ R = 0` or the quotient is not finite) and `gain` `Σ|U| / Σ|R|` (the scale the renormalization
 * removed; `1` where `Σ|R| = 0`).
 */
export const relativeLinear: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'relative/linear',
  meta: {
    name: 'RelativeLinear',
    description: 'R-LRP: division-free messages x ⊙ Wᵀ R, kept at the L1 mass they received; reports the layer factor.',
    appliesTo: [...LINEAR_OPS, 'avgPool2d', 'globalAvgPool2d'],
    defaultOptions: {},
    conservative: false,
    formula: 'U = x ⊙ Wᵀ R;  R_in = U · Σ|R| / Σ|U|;  factor c = Σ R_in / Σ R',
    docs: { cite: 'Our reading of the abstract of arXiv:2501.14322 (Relative Layer-Wise Relevance Propagation, 2025)' },
  },
  create(options) {
    rejectOptions('relative/linear', options);
    return {
      propagate(relevance, ctx) {
        const x = ctx.inputs[0]!;
        const [g] = ctx.transpose(relevance);
        const u = tf.mul(x, g!);
        const massOut = l1PerSample(relevance);
        const massU = l1PerSample(u);
        // u / Σ|u| has every entry in [-1, 1]; where Σ|u| = 0, u is all zero and so is R_in.
        const share = tf.div(u, broadcastPerSample(tf.where(tf.equal(massU, 0), tf.onesLike(massU), massU), u));
        const rIn = tf.mul(share, broadcastPerSample(massOut, u));
        ctx.report('factor', safeRatio(sumPerSample(rIn), sumPerSample(relevance), 1));
        ctx.report('gain', safeRatio(massU, massOut, 1));
        return [rIn];
      },
    };
  },
};
