import type { Rule } from '@nrm/core';

/** Pass: relevance goes through unchanged (element-wise activations such as ReLU). */
export const pass: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'lrp/pass',
  meta: {
    name: 'Pass',
    description: 'Relevance passes through the node unchanged.',
    appliesTo: ['relu', 'identity', 'dropout'],
    defaultOptions: {},
    conservative: true,
    formula: 'R_in = R',
  },
  create: () => 'pass',
};
