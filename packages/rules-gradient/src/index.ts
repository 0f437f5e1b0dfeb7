/**
 * `@nrm/rules-gradient`: modified-gradient methods as NRM rules (gradient, gradient × input).
 *
 * @packageDocumentation
 */
import type { Plugin } from '@nrm/core';
import { gradientComposite, gradientTimesInputComposite } from './composites/gradient.js';
import { gradient } from './rules/gradient.js';
import { timesInput } from './rules/times-input.js';

export { gradient, NON_INPUT_OPS } from './rules/gradient.js';
export { timesInput } from './rules/times-input.js';
export { gradientComposite, gradientTimesInputComposite } from './composites/gradient.js';

/** The plugin: `createRegistry([gradientMethods, ...])`. */
export const gradientMethods: Plugin = {
  specificationVersion: 'v1',
  name: '@nrm/rules-gradient',
  rules: [gradient, timesInput],
  composites: [gradientComposite, gradientTimesInputComposite],
};
