import type { Plugin } from '@nrm/core';
import { relativeComposite } from './composites/relative.js';
import { relativeAdd } from './rules/add.js';
import { relativeLinear } from './rules/linear.js';
import { relativePass } from './rules/pass.js';
import { relativeWinnerTakeAll } from './rules/winner-take-all.js';

/** Every rule of this package. */
export const relativeRules = [relativeLinear, relativeAdd, relativePass, relativeWinnerTakeAll] as const;

/** The plugin: `createRegistry([relative, ...])`; it needs no other rule plugin. */
export const relative: Plugin = {
  specificationVersion: 'v1',
  name: '@nrm/rules-relative',
  rules: relativeRules,
  composites: [relativeComposite],
};
