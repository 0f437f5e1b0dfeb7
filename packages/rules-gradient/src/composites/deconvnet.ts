import type { Composite } from '@nrm/core';
import { NON_INPUT_OPS } from '../rules/gradient.js';

/**
 * `deconvnet` (Zeiler & Fergus 2014): ReLUs rectify the backward signal
 * (`gradient/deconvnet-relu`), every other node takes the gradient (`gradient/gradient`): max
 * pooling unpools to the forward's switches and convolutions apply their transposed filters.
 */
export const deconvnetComposite: Composite = {
  specificationVersion: 'v1',
  id: 'deconvnet',
  description: 'Deconvnet (Zeiler & Fergus): unpooling with the switches, ReLU on the backward signal, transposed filters.',
  rules: [
    { match: { op: 'relu' }, use: 'gradient/deconvnet-relu' },
    { match: { op: NON_INPUT_OPS }, use: 'gradient/gradient' },
  ],
};
