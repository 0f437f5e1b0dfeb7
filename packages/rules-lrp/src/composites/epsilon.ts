import type { Composite } from '@nrm/core';
import { LRP_TAIL, denseEpsilon } from './common.js';

/** `epsilon`: LRP-ε on every Dense and conv layer (ε from options, default 1e-6 ≈ LRP-0). */
export const epsilonComposite: Composite = {
  specificationVersion: 'v1',
  id: 'epsilon',
  description: 'Epsilon(ε) on every Dense, Conv and transposed conv; Norm on sums; Pass on activations.',
  rules: [{ match: { op: ['dense', 'conv2d', 'conv2dTranspose', 'depthwiseConv2d'] }, use: { rule: 'lrp/epsilon', options: denseEpsilon } }, ...LRP_TAIL],
};
