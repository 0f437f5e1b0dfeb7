import type { Composite } from '@nrm/core';
import { CONVS, LRP_TAIL, denseEpsilon } from './common.js';

/** `epsilon-gamma-box` (Zennit's EpsilonGammaBox): ZBox on the first conv, γ on convs, ε on Dense. */
export const epsilonGammaBoxComposite: Composite = {
  specificationVersion: 'v1',
  id: 'epsilon-gamma-box',
  description: 'ZBox(low, high) on the first conv, Gamma(0.25) on the other convs, Epsilon(1e-6) on Dense layers.',
  needsBounds: true,
  rules: [
    { match: { op: CONVS, position: 'first' }, use: { rule: 'lrp/z-box', options: (o) => ({ low: o.low, high: o.high }) } },
    { match: { op: CONVS }, use: { rule: 'lrp/gamma', options: (o) => ({ gamma: (o['gamma'] as number | undefined) ?? 0.25 }) } },
    { match: { op: 'dense' }, use: { rule: 'lrp/epsilon', options: denseEpsilon } },
    ...LRP_TAIL,
  ],
};
