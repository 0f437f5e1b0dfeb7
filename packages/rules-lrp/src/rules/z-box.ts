import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, LINEAR_OPS, type Rule } from '@nrm/core';
import { eachParam, negativePart, positivePart } from './param-modifiers.js';

/** Options of {@link zBox}: the bounds of the input domain. */
export interface ZBoxOptions {
  readonly low: number;
  readonly high: number;
}

/**
 * z^B (bounded input domain, for the first layer): with L, H tensors of the input's shape filled
 * with `low` and `high`, `z = (Wx + b) − (W⁺L + b⁺) − (W⁻H + b⁻)`, `s = R ⊘ stab(z)`,
 * `R_in = x ⊙ Wᵀs − L ⊙ W⁺ᵀs − H ⊙ W⁻ᵀs`.
 */
export const zBox: Rule<ZBoxOptions> = {
  specificationVersion: 'v1',
  id: 'lrp/z-box',
  meta: {
    name: 'ZBox',
    description: 'LRP-z^B for inputs bounded in [low, high] (pixel layers).',
    appliesTo: LINEAR_OPS,
    defaultOptions: { low: Number.NaN, high: Number.NaN },
    conservative: true,
    formula: 'z = (Wx + b) − (W⁺L + b⁺) − (W⁻H + b⁻); s = R ⊘ stab(z); R_in = x⊙Wᵀs − L⊙W⁺ᵀs − H⊙W⁻ᵀs',
    docs: { cite: 'Montavon et al. 2017, Pattern Recognition 65: 211–222' },
  },
  create({ low, high }, { node }) {
    if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
      throw new InvalidArgumentError(
        `lrp/z-box on '${node.id}' needs finite bounds low ≤ high (the input range, e.g. --low -1 --high 1); got low = ${low}, high = ${high}.`,
      );
    }
    return {
      branches: [
        {},
        { input: { fill: low }, param: eachParam(positivePart), coefficient: -1 },
        { input: { fill: high }, param: eachParam(negativePart), coefficient: -1 },
      ],
      mapSeed: (r, [z, zl, zh], { stabilize }) => {
        const s = tf.div(r, stabilize(tf.sub(tf.sub(z!, zl!), zh!), 1e-6));
        return [s, s, s];
      },
    };
  },
};
