/** The `@nrm/graph` plugin. */
import type { Plugin } from '@nrm/core';
import { tfjsLayersAdapter } from './adapter/tfjs-layers-adapter.js';

/** Registers the tfjs-layers graph adapter (`createRegistry([tfjsLayers])`). */
export const tfjsLayers: Plugin = {
  specificationVersion: 'v1',
  name: '@nrm/graph',
  adapters: [tfjsLayersAdapter],
};
