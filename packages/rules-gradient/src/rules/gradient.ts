import type { OpKind, Rule } from '@nrm/core';

/** Every op kind but the input (which has no inputs to pass a gradient to). */
export const NON_INPUT_OPS: readonly OpKind[] = [
  'dense', 'conv2d', 'conv2dTranspose', 'depthwiseConv2d', 'batchNorm', 'relu', 'maxPool2d', 'avgPool2d',
  'globalAvgPool2d', 'globalMaxPool2d', 'flatten', 'reshape', 'add', 'concat', 'upSampling2d', 'zeroPadding2d',
  'identity', 'dropout',
];

/** Plain backpropagation: the vector-Jacobian product at the forward point (ReLU′ = [z > 0]). */
export const gradient: Rule<Record<string, never>> = {
  specificationVersion: 'v1',
  id: 'gradient/gradient',
  meta: {
    name: 'Gradient',
    description: 'The gradient of the seed: R_in = Jᵀ R.',
    appliesTo: NON_INPUT_OPS,
    defaultOptions: {},
    conservative: false,
    formula: 'R_in = (∂y/∂x)ᵀ R',
  },
  create: () => ({ propagate: (r, ctx) => ctx.vjp(r) }),
};
