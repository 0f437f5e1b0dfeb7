import { createRegistry, type Registry } from '@nrm/core';
import { cpu } from '@nrm/backend-cpu';
import { wasm } from '@nrm/backend-wasm';
import { tfjsLayers } from '@nrm/graph';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { relative } from '@nrm/rules-relative';

/** The registry the CLI uses: every first-party plugin it depends on. */
export function defaultRegistry(): Registry {
  return createRegistry([tfjsLayers, lrp, gradientMethods, relative, cpu, wasm]);
}
