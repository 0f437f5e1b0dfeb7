import type { Plugin } from '@nrm/core';
import { epsilonComposite } from './composites/epsilon.js';
import { epsilonAlpha2Beta1Composite } from './composites/epsilon-alpha2-beta1.js';
import { epsilonGammaBoxComposite } from './composites/epsilon-gamma-box.js';
import { epsilonPlusFlatComposite } from './composites/epsilon-plus-flat.js';
import { alphaBeta } from './rules/alpha-beta.js';
import { epsilon } from './rules/epsilon.js';
import { flat } from './rules/flat.js';
import { gamma } from './rules/gamma.js';
import { norm } from './rules/norm.js';
import { pass } from './rules/pass.js';
import { wSquare } from './rules/w-square.js';
import { winnerTakeAll } from './rules/winner-take-all.js';
import { zBox } from './rules/z-box.js';
import { zPlus } from './rules/z-plus.js';

/** Every LRP rule of this package. */
export const lrpRules = [epsilon, zPlus, alphaBeta, gamma, zBox, flat, wSquare, pass, norm, winnerTakeAll] as const;
/** Every composite of this package. */
export const lrpComposites = [epsilonComposite, epsilonPlusFlatComposite, epsilonGammaBoxComposite, epsilonAlpha2Beta1Composite] as const;

/** The plugin: `createRegistry([lrp, ...])`. */
export const lrp: Plugin = {
  specificationVersion: 'v1',
  name: '@nrm/rules-lrp',
  rules: lrpRules,
  composites: lrpComposites,
};
