import type { Composite } from '@nrm/core';
import { CONVS, LRP_TAIL, denseEpsilon } from './common.js';

/** `epsilon-alpha2-beta1` (Zennit's EpsilonAlpha2Beta1): α2β1 on convs, ε on Dense. */
export const epsilonAlpha2Beta1Composite: Composite = {
  specificationVersion: 'v1',
  id: 'epsilon-alpha2-beta1',
  description: 'AlphaBeta(2, 1) on every conv, Epsilon(1e-6) on Dense layers.',
  rules: [
    { match: { op: CONVS }, use: { rule: 'lrp/alpha-beta', options: { alpha: 2, beta: 1 } } },
    { match: { op: 'dense' }, use: { rule: 'lrp/epsilon', options: denseEpsilon } },
    ...LRP_TAIL,
  ],
};
