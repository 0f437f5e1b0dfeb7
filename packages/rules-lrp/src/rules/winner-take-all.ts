import type { Rule } from '@nrm/core';

/**
 * Winner-take-all for max pooling: each window's relevance goes to the window's maximum (the
 * first, on a tie); an element that is the maximum of several overlapping windows gets the sum.
 */
export const winnerTakeAll: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'lrp/winner-take-all',
  meta: {
    name: 'WinnerTakeAll',
    description: 'Max-pool relevance to the maximum of each window (the gradient routing).',
    appliesTo: ['maxPool2d', 'globalMaxPool2d'],
    defaultOptions: {},
    conservative: true,
    formula: 'R_in[i] = Σ_{windows w with argmax i} R_w',
  },
  create: () => ({ propagate: (r, ctx) => ctx.vjp(r) }),
};
