import type { Rule } from '@nrm/core';
import { rejectOptions } from '../per-sample.js';

/**
 * Winner-take-all for max pooling in R-LRP: each window's relevance goes to the window's maximum
 * (the first, on a tie; an element that wins several windows gets the sum). The same behaviour as
 * `lrp/winner-take-all`, under this plugin's namespace.
 */
export const relativeWinnerTakeAll: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'relative/winner-take-all',
  meta: {
    name: 'RelativeWinnerTakeAll',
    description: 'Max-pool relevance to the maximum of each window (the gradient routing).',
    appliesTo: ['maxPool2d', 'globalMaxPool2d'],
    defaultOptions: {},
    conservative: true,
    formula: 'R_in[i] = Σ_{windows w with argmax i} R_w',
  },
  create(options) {
    rejectOptions('relative/winner-take-all', options);
    return { propagate: (r, ctx) => ctx.vjp(r) };
  },
};
