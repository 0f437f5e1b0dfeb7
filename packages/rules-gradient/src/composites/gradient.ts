import type { Composite } from '@nrm/core';
import { NON_INPUT_OPS } from '../rules/gradient.js';

/** `gradient`: plain backprop of the seed (the seed is the target's value, as for LRP). */
export const gradientComposite: Composite = {
  specificationVersion: 'v1',
  id: 'gradient',
  description: 'The gradient of the target, times the target value (the shared seed convention).',
  rules: [{ match: { op: NON_INPUT_OPS }, use: 'gradient/gradient' }],
};

/** `gradient-x-input`: input ⊙ gradient. */
export const gradientTimesInputComposite: Composite = {
  specificationVersion: 'v1',
  id: 'gradient-x-input',
  description: 'Input times the gradient of the target (times the target value).',
  rules: [
    { match: { op: 'input' }, use: 'gradient/times-input' },
    { match: { op: NON_INPUT_OPS }, use: 'gradient/gradient' },
  ],
};
