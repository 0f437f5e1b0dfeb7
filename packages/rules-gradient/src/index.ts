/**
 * `@nrm/rules-gradient`: modified-gradient methods as NRM rules (gradient, gradient × input,
 * deconvnet, guided backprop), and the projection of a feature map to the input.
 *
 * @packageDocumentation
 */
import type { Plugin } from '@nrm/core';
import { deconvnetComposite } from './composites/deconvnet.js';
import { gradientComposite, gradientTimesInputComposite } from './composites/gradient.js';
import { guidedBackpropComposite } from './composites/guided-backprop.js';
import { deconvnetRelu } from './rules/deconvnet-relu.js';
import { gradient } from './rules/gradient.js';
import { guidedRelu } from './rules/guided-relu.js';
import { timesInput } from './rules/times-input.js';

export { gradient, NON_INPUT_OPS } from './rules/gradient.js';
export { timesInput } from './rules/times-input.js';
export { deconvnetRelu } from './rules/deconvnet-relu.js';
export { guidedRelu } from './rules/guided-relu.js';
export { gradientComposite, gradientTimesInputComposite } from './composites/gradient.js';
export { deconvnetComposite } from './composites/deconvnet.js';
export { guidedBackpropComposite } from './composites/guided-backprop.js';
export { featureMapSeed, type FeatureMapPeak, type FeatureMapSeed, type FeatureMapSelection } from './feature-map-seed.js';
export { projectFeatureMap, type FeatureMapProjection, type FeatureMapTarget } from './project-feature-map.js';
export {
  DECONV_CLI_OPTIONS,
  DECONV_COMPOSITES,
  DECONV_USAGE,
  parseDeconvArgs,
  type DeconvCliArgs,
  type DeconvMethod,
} from './deconv-cli.js';

/**
 * The plugin: `createRegistry([gradientMethods, ...])`. Rules `gradient/gradient`,
 * `gradient/times-input`, `gradient/deconvnet-relu`, `gradient/guided-relu`; composites
 * `deconvnet`, `guided-backprop`, `gradient`, `gradient-x-input` (registration order, which is the
 * order error messages list them in).
 */
export const gradientMethods: Plugin = {
  specificationVersion: 'v1',
  name: '@nrm/rules-gradient',
  rules: [gradient, timesInput, deconvnetRelu, guidedRelu],
  composites: [deconvnetComposite, guidedBackpropComposite, gradientComposite, gradientTimesInputComposite],
};
