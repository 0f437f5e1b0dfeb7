import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, LINEAR_OPS, type Rule } from '@nrm/core';
import { eachParam, negativePart, positivePart } from './param-modifiers.js';

/** Options of {@link gamma}. */
export interface GammaOptions {
  /** How much the positive (for a positive output) contributions are favoured; 0 is LRP-0. */
  readonly gamma: number;
}

/**
 * Generalized, sign-aware LRP-γ (as Zennit 0.5): `W↑ = W + γW⁺`, `W↓ = W + γW⁻` (biases alike),
 * `z_p = W↑x⁺ + W↓x⁻ + b↑`, `z_n = W↓x⁺ + W↑x⁻ + b↓`; outputs with `z > 0` use `s_p = R ⊘ stab(z_p)`,
 * outputs with `z < 0` use `s_n = R ⊘ stab(z_n)`;
 * `R_in = x⁺⊙W↑ᵀs_p + x⁻⊙W↓ᵀs_p + x⁺⊙W↓ᵀs_n + x⁻⊙W↑ᵀs_n`.
 */
export const gamma: Rule<GammaOptions> = {
  specificationVersion: 'v1',
  id: 'lrp/gamma',
  meta: {
    name: 'Gamma',
    description: 'LRP-γ (sign-aware): contributions that agree with the sign of the output are favoured by γ.',
    appliesTo: LINEAR_OPS,
    defaultOptions: { gamma: 0.25 },
    conservative: true,
    formula: 'R_in = x⁺⊙W↑ᵀs_p + x⁻⊙W↓ᵀs_p + x⁺⊙W↓ᵀs_n + x⁻⊙W↑ᵀs_n, s_p = [z>0]R ⊘ stab(z_p), s_n = [z<0]R ⊘ stab(z_n)',
    docs: { cite: 'Montavon et al. 2019, Layer-Wise Relevance Propagation: An Overview (LNCS 11700)' },
  },
  create({ gamma: g }, ctx) {
    if (!(g >= 0) || !Number.isFinite(g)) throw new InvalidArgumentError(`lrp/gamma needs γ ≥ 0, got ${g}.`);
    if (ctx.inputsNonNegative.length > 0 && ctx.inputsNonNegative.every(Boolean)) {
      // Inputs ≥ 0 (after a ReLU): the x⁻ terms vanish, and with z_P = W⁺x + b⁺ (one extra forward)
      // W⁻x + b⁻ = z − z_P, so z_p = z + γz_P and z_n = z + γ(z − z_P). The backward
      // x⊙(W↑ᵀs_p + W↓ᵀs_n) = x⊙(Wᵀ(s_p + (1+γ)s_n) + γW⁺ᵀ(s_p − s_n)): two transposed maps
      // instead of four, the same numbers up to rounding.
      return {
        branches: [{}, { input: 'positive', param: eachParam(positivePart) }],
        mapSeed: (r, [z, zP], { stabilize }) => {
          const sp = tf.div(tf.mul(r, tf.step(z!)), stabilize(tf.add(z!, tf.mul(zP!, g)), 1e-6));
          const sn = tf.div(
            tf.mul(r, tf.step(tf.neg(z!))),
            stabilize(tf.add(z!, tf.mul(tf.sub(z!, zP!), g)), 1e-6),
          );
          return [tf.add(sp, tf.mul(sn, 1 + g)), tf.mul(tf.sub(sp, sn), g)];
        },
      };
    }
    const up = (p: tf.Tensor) => tf.add(p, tf.mul(positivePart(p), g));
    const down = (p: tf.Tensor) => tf.add(p, tf.mul(negativePart(p), g));
    return {
      branches: [
        { input: 'positive', param: eachParam(up) },
        { input: 'negative', param: eachParam(down, false) },
        { input: 'positive', param: eachParam(down) },
        { input: 'negative', param: eachParam(up, false) },
      ],
      mapSeed: (r, [a, b, c, d], { z, stabilize }) => {
        const sp = tf.div(tf.mul(r, tf.step(z)), stabilize(tf.add(a!, b!), 1e-6));
        const sn = tf.div(tf.mul(r, tf.step(tf.neg(z))), stabilize(tf.add(c!, d!), 1e-6));
        return [sp, sp, sn, sn];
      },
    };
  },
};
