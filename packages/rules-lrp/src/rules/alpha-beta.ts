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
    // z⁺ ≥ 0, so stab(z⁺) = z⁺ + ε; z⁻ = z − z⁺ ≤ 0 (z = Wx + b is stored), so
    // stab(z⁻) = −(relu(z⁺ − z) + ε) (where z⁻ is exactly 0 the sign differs, but there every
    // x_i·w⁻_ij is 0 and the seed's value does not matter). The second seed is −s⁻, hence +β.
    // W⁻ᵀ is still applied directly (folding it into Wᵀ − W⁺ᵀ would cancel large terms where
    // z⁻ ≈ 0). Each intermediate is freed once read (`consume`).
    const seeds = (r: tf.Tensor, zp: tf.Tensor, z: tf.Tensor): [tf.Tensor, tf.Tensor] => [
      consume(tf.add(zp, 1e-6), (d) => tf.div(r, d)),
      consume(consume(consume(tf.sub(zp, z), tf.relu), (d) => tf.add(d, 1e-6)), (d) => tf.div(r, d)),
    ];
    const plus = eachParam(positivePart);
    const minusNoBias = eachParam(negativePart, false);
    if (ctx.inputsNonNegative.length > 0 && ctx.inputsNonNegative.every(Boolean)) {
      // Inputs ≥ 0: the x⁻ branches vanish: one extra forward (W⁺x + b⁺) and two transposed maps.
      return {
        branches: [
          { input: 'positive', param: plus, coefficient: alpha },
          { input: 'positive', param: minusNoBias, coefficient: beta, forward: false },
        ],
        mapSeed: (r, [zp], { z }) => seeds(r, zp!, z),
      };
    }
    // Inputs of either sign: z⁺ = W⁺x⁺ + W⁻x⁻ + b⁺ takes two forwards; the β branches are
    // transposed maps only, and share their kernels (by modifier) with the α branches.
    return {
      branches: [
        { input: 'positive', param: plus, coefficient: alpha },
        { input: 'negative', param: minusNoBias, coefficient: alpha },
        { input: 'positive', param: minusNoBias, coefficient: beta, forward: false },
        { input: 'negative', param: plus, coefficient: beta, forward: false },
      ],
      mapSeed: (r, [a, b], { z }) => {
        const zp = tf.add(a!, b!);
        const [sp, minusSn] = seeds(r, zp, z);
        zp.dispose();
        return [sp, sp, minusSn, minusSn];
      },
    };
  },
};
