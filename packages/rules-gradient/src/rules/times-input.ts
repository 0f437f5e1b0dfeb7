import * as tf from '@tensorflow/tfjs-core';
import type { Rule } from '@nrm/core';

/** At the model input: multiplies the incoming gradient by the input (gradient × input). */
export const timesInput: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'gradient/times-input',
  meta: {
    name: 'TimesInput',
    description: 'Relevance at the input = input ⊙ gradient.',
    appliesTo: ['input'],
    defaultOptions: {},
    conservative: false,
    formula: 'R_x = x ⊙ ∂y/∂x',
    docs: { cite: 'Shrikumar et al. 2016, arXiv:1605.01713' },
  },
  create: () => ({ propagate: (r, ctx) => [tf.mul(r, ctx.output)] }),
};
