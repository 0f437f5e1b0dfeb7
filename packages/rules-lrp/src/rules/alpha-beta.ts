import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, LINEAR_OPS, consume, type Rule } from '@nrm/core';
import { eachParam, negativePart, positivePart } from './param-modifiers.js';

/** Options of {@link alphaBeta}; α − β must be 1. */
export interface AlphaBetaOptions {
  readonly alpha: number;
  readonly beta: number;
}

/**
 * LRP-αβ: positive and negative contributions are normalized separately and weighted α and −β.
 * `z± = W±x⁺ + W∓x⁻ + b±`, `s± = R ⊘ stab(z±)`,
 * `R_in = α(x⁺⊙W⁺ᵀs⁺ + x⁻⊙W⁻ᵀs⁺) − β(x⁺⊙W⁻ᵀs⁻ + x⁻⊙W⁺ᵀs⁻)`.
 */
export const alphaBeta: Rule<AlphaBetaOptions> = {
  specificationVersion: 'v1',
  id: 'lrp/alpha-beta',
  meta: {
    name: 'AlphaBeta',
    description: 'LRP-αβ: positive and negative contributions weighted α and β separately (α − β = 1).',
    appliesTo: LINEAR_OPS,
    defaultOptions: { alpha: 2, beta: 1 },
    conservative: false,
    formula: 'R_in = α(x⁺⊙W⁺ᵀs⁺ + x⁻⊙W⁻ᵀs⁺) − β(x⁺⊙W⁻ᵀs⁻ + x⁻⊙W⁺ᵀs⁻), s± = R ⊘ stab(z±)',
    docs: { cite: 'Bach et al. 2015, PLOS ONE 10(7): e0130140' },
  },
  create({ alpha, beta }, ctx) {
    if (!Number.isFinite(alpha) || !Number.isFinite(beta) || Math.abs(alpha - beta - 1) > 1e-9 || beta < 0) {
      throw new InvalidArgumentError(`lrp/alpha-beta needs α − β = 1 with β ≥ 0; got α = ${alpha}, β = ${beta}.`);
    }
    if (ctx.inputsNonNegative.length > 0 && ctx.inputsNonNegative.every(Boolean)) {
      // Inputs ≥ 0: the x⁻ branches vanish, and z⁻ = W⁻x + b⁻ = z − (W⁺x + b⁺): one extra forward
      // (W⁺x) and two transposed maps. W⁻ᵀ is still applied directly (folding it into Wᵀ − W⁺ᵀ
      // would cancel large terms where z⁻ ≈ 0). z⁺ ≥ 0, so stab(z⁺) = z⁺ + ε; z⁻ ≤ 0, so
      // stab(z⁻) = −(relu(z⁺ − z) + ε) (where z⁻ is exactly 0 the sign differs, but there every
      // x_i·w⁻_ij is 0 and the seed's value does not matter). The second seed is −s⁻, hence +β.
      return {
        branches: [
          { input: 'positive', param: eachParam(positivePart), coefficient: alpha },
          { input: 'positive', param: eachParam(negativePart), coefficient: beta, forward: false },
        ],
        // Each intermediate is freed once read (`consume`).
        mapSeed: (r, [zp], { z }) => [
          consume(tf.add(zp!, 1e-6), (d) => tf.div(r, d)),
          consume(consume(consume(tf.sub(zp!, z), tf.relu), (d) => tf.add(d, 1e-6)), (d) => tf.div(r, d)),
        ],
      };
    }
    // Inputs of either sign: z⁺ = W⁺x⁺ + W⁻x⁻ + b⁺ ≥ 0 takes two forwards; z⁻ = W⁻x⁺ + W⁺x⁻ + b⁻ ≤ 0
    // is z − z⁺ (z = Wx + b is stored), so the β branches need their transposed maps only. As in
    // the non-negative case, stab(z⁻) = −(relu(z⁺ − z) + ε) and the β branches take −s⁻ with +β.
    return {
      branches: [
        { input: 'positive', param: eachParam(positivePart), coefficient: alpha },
        { input: 'negative', param: eachParam(negativePart, false), coefficient: alpha },
        { input: 'positive', param: eachParam(negativePart, false), coefficient: beta, forward: false },
        { input: 'negative', param: eachParam(positivePart, false), coefficient: beta, forward: false },
      ],
      mapSeed: (r, [a, b], { z }) => {
        const zp = tf.add(a!, b!);
        const minusSn = consume(consume(consume(tf.sub(zp, z), tf.relu), (d) => tf.add(d, 1e-6)), (d) => tf.div(r, d));
        const sp = consume(tf.add(zp, 1e-6), (d) => tf.div(r, d));
        zp.dispose();
        return [sp, sp, minusSn, minusSn];
      },
    };
  },
};
