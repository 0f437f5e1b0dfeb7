import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, LINEAR_OPS, consume, consume2, type Rule } from '@nrm/core';
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
    const up = (p: tf.Tensor) => tf.add(p, tf.mul(positivePart(p), g));
    const down = (p: tf.Tensor) => tf.add(p, tf.mul(negativePart(p), g));
    // z_p − z = γ(W⁺x⁺ + W⁻x⁻ + b⁺) ≥ 0 and z_n − z = γ(W⁻x⁺ + W⁺x⁻ + b⁻) ≤ 0, and
    // z_p + z_n = (2 + γ)z: z_n needs no forward of its own. Where z > 0, stab(z_p) = z_p + ε =
    // relu(z_p) + ε, and where z < 0, stab(z_n) = z_n − ε = −(relu(−z_n) + ε); elsewhere the masks
    // zero the seeds and these denominators are never 0. The second seed is −s_n (its branches
    // have coefficient −1): 13 cheap elementwise ops for the two seeds instead of 24
    // (tfjs-backend-wasm's `minimum` with a scalar is ~10× slower than `relu`, hence no
    // `min(z_n, 0)`). Each intermediate is freed once read (`consume`): at most three live at a time.
    const seeds = (r: tf.Tensor, zp: tf.Tensor, z: tf.Tensor): [tf.Tensor, tf.Tensor] => {
      const sp = consume2(
        consume(tf.step(z), (m) => tf.mul(r, m)),
        consume(tf.relu(zp), (d) => tf.add(d, 1e-6)),
        tf.div,
      );
      const minusZn = consume(tf.mul(z, 2 + g), (twoZ) => tf.sub(zp, twoZ));
      const minusSn = consume2(
        consume(consume(tf.neg(z), tf.step), (m) => tf.mul(r, m)),
        consume(consume(minusZn, tf.relu), (d) => tf.add(d, 1e-6)),
        tf.div,
      );
      return [sp, minusSn];
    };
    const upWithBias = eachParam(up);
    const downNoBias = eachParam(down, false);
    if (ctx.inputsNonNegative.length > 0 && ctx.inputsNonNegative.every(Boolean)) {
      // Inputs ≥ 0 (after a ReLU): the x⁻ terms vanish. z_p = W↑x + b↑ is one extra forward;
      // R_in = x⊙(W↑ᵀs_p + W↓ᵀs_n), two transposed maps.
      return {
        branches: [{ param: upWithBias }, { param: downNoBias, forward: false, coefficient: -1 }],
        mapSeed: (r, [zp], { z }) => seeds(r, zp!, z),
      };
    }
    // Inputs of either sign: z_p = W↑x⁺ + W↓x⁻ + b↑ takes two forwards; the s_n branches are
    // transposed maps only, and share their kernels (by modifier) with the s_p branches.
    return {
      branches: [
        { input: 'positive', param: upWithBias },
        { input: 'negative', param: downNoBias },
        { input: 'positive', param: downNoBias, forward: false, coefficient: -1 },
        { input: 'negative', param: upWithBias, forward: false, coefficient: -1 },
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
