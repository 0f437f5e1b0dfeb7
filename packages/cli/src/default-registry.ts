import { createRegistry, type Registry } from '@nrm/core';
import { cpu } from '@nrm/backend-cpu';
import { node } from '@nrm/backend-node';
import { wasm } from '@nrm/backend-wasm';
import { webgpu } from '@nrm/backend-webgpu';
import { tfjsLayers } from '@nrm/graph';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { relative } from '@nrm/rules-relative';

/**
 * The registry the CLI uses: every first-party plugin it depends on. The `webgpu` and `tensorflow`
 * (tfjs-node) backends need optional packages; without them `isSupported()` says what to install.
 */
export function defaultRegistry(): Registry {
  return createRegistry([tfjsLayers, lrp, gradientMethods, relative, cpu, wasm, webgpu, node]);
}
