import type { Composite } from '@nrm/core';

/**
 * `relative`: R-LRP everywhere. Linear nodes and average pooling → `relative/linear`, residual
 * Add → `relative/add`, activations → `relative/pass`, max pooling → `relative/winner-take-all`.
 * It takes no options and hands none to its rules (`--epsilon` and the like are ignored).
 */
export const relativeComposite: Composite = {
  specificationVersion: 'v1',
  id: 'relative',
  description: 'R-LRP (our reading of arXiv:2501.14322): division-free messages on linear nodes, a guarded share split at residual Adds; no hyperparameter.',
  rules: [
    { match: { op: ['dense', 'conv2d', 'conv2dTranspose', 'depthwiseConv2d', 'batchNorm', 'avgPool2d', 'globalAvgPool2d'] }, use: 'relative/linear' },
    { match: { op: 'add' }, use: 'relative/add' },
    { match: { op: ['relu', 'identity', 'dropout'] }, use: 'relative/pass' },
    { match: { op: ['maxPool2d', 'globalMaxPool2d'] }, use: 'relative/winner-take-all' },
  ],
};
