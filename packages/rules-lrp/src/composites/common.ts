import type { Composite } from '@nrm/core';

/** Ops that count as "linear layers" for the composites' first-layer rules (Dense or conv). */
export const LAYER_OPS = ['dense', 'conv2d', 'conv2dTranspose', 'depthwiseConv2d'] as const;
/** Ops that count as convolutions. */
export const CONVS = ['conv2d', 'conv2dTranspose', 'depthwiseConv2d'] as const;

/** Entries every LRP composite ends with: sums → Norm, activations → Pass, max-pool → winner-take-all. */
export const LRP_TAIL: Composite['rules'] = [
  { match: { op: 'batchNorm' }, use: { rule: 'lrp/epsilon', options: { epsilon: 1e-6 } } },
  { match: { op: ['add', 'avgPool2d', 'globalAvgPool2d'] }, use: 'lrp/norm' },
  { match: { op: ['relu', 'identity', 'dropout'] }, use: 'lrp/pass' },
  { match: { op: ['maxPool2d', 'globalMaxPool2d'] }, use: 'lrp/winner-take-all' },
];

/** ε for the Dense layers of the mixed composites (Zennit's default 1e-6 unless `--epsilon`). */
export const denseEpsilon = (o: { epsilon?: number }) => ({ epsilon: o.epsilon ?? 1e-6 });
