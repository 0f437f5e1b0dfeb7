import * as tf from '@tensorflow/tfjs-core';
import { LINEAR_OPS, type Rule } from '@nrm/core';
import { eachParam, negativePart, positivePart } from './param-modifiers.js';

/**
 * z⁺: only positive contributions count.
 * `z⁺ = W⁺x⁺ + W⁻x⁻ + b⁺`, `s = R ⊘ stab(z⁺)`, `R_in = x⁺ ⊙ W⁺ᵀs + x⁻ ⊙ W⁻ᵀs`.
 */
export const zPlus: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'lrp/z-plus',
  meta: {
    name: 'ZPlus',
    description: 'LRP-z⁺: relevance in proportion to the positive contributions only.',
    appliesTo: LINEAR_OPS,
    defaultOptions: {},
    conservative: true,
    formula: 'z⁺ = W⁺x⁺ + W⁻x⁻ + b⁺; s = R ⊘ stab(z⁺); R_in = x⁺ ⊙ W⁺ᵀs + x⁻ ⊙ W⁻ᵀs',
    docs: { cite: 'Montavon et al. 2017, Pattern Recognition 65: 211–222' },
  },
  create(_options, ctx) {
    if (ctx.inputsNonNegative.length > 0 && ctx.inputsNonNegative.every(Boolean)) {
      // Inputs ≥ 0: the x⁻ branch is exactly zero; one branch, no zeros to build and add.
      return {
        branches: [{ input: 'positive', param: eachParam(positivePart) }],
        mapSeed: (r, [zp], { stabilize }) => [tf.div(r, stabilize(zp!, 1e-6))],
      };
    }
    return {
      branches: [
        { input: 'positive', param: eachParam(positivePart) },
        { input: 'negative', param: eachParam(negativePart, false) },
      ],
      mapSeed: (r, [zp, zn], { stabilize }) => {
        const s = tf.div(r, stabilize(tf.add(zp!, zn!), 1e-6));
        return [s, s];
      },
    };
  },
};
