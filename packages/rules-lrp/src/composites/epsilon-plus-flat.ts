import type { Composite } from '@nrm/core';
import { CONVS, LAYER_OPS, LRP_TAIL, denseEpsilon } from './common.js';

/** `epsilon-plus-flat` (Zennit's EpsilonPlusFlat): Flat on the first layer, z⁺ on convs, ε on Dense. */
export const epsilonPlusFlatComposite: Composite = {
  specificationVersion: 'v1',
  id: 'epsilon-plus-flat',
  description: 'Flat on the first linear layer, ZPlus on the other convs, Epsilon(1e-6) on Dense layers.',
  rules: [
    { match: { op: LAYER_OPS, position: 'first' }, use: 'lrp/flat' },
    { match: { op: CONVS }, use: 'lrp/z-plus' },
    { match: { op: 'dense' }, use: { rule: 'lrp/epsilon', options: denseEpsilon } },
    ...LRP_TAIL,
  ],
};
