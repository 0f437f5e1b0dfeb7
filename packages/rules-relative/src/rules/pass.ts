import type { Rule } from '@nrm/core';
import { rejectOptions } from '../per-sample.js';

/**
 * Pass, for element-wise activations (ReLU) in R-LRP: relevance goes through unchanged. The same
 * behaviour as `lrp/pass`, under this plugin's namespace so that `relative` needs no other plugin.
 */
export const relativePass: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'relative/pass',
  meta: {
    name: 'RelativePass',
    description: 'Relevance passes through the activation unchanged.',
    appliesTo: ['relu', 'identity', 'dropout'],
    defaultOptions: {},
    conservative: true,
    formula: 'R_in = R',
  },
  create(options) {
    rejectOptions('relative/pass', options);
    return 'pass';
  },
};
