import type { Composite } from '@nrm/core';
import { NON_INPUT_OPS } from '../rules/gradient.js';

/**
 * `guided-backprop` (Springenberg et al. 2015): ReLUs pass `relu(R) ⊙ [x > 0]`
 * (`gradient/guided-relu`), every other node takes the gradient (`gradient/gradient`).
 */
export const guidedBackpropComposite: Composite = {
  specificationVersion: 'v1',
  id: 'guided-backprop',
  description: 'Guided backpropagation: the gradient, with ReLUs also rectifying the backward signal.',
  rules: [
    { match: { op: 'relu' }, use: 'gradient/guided-relu' },
    { match: { op: NON_INPUT_OPS }, use: 'gradient/gradient' },
  ],
};
