/**
 * `@nrm/rules-lrp`: the LRP rules and the composites that bind them to layers.
 *
 * @packageDocumentation
 */
export { alphaBeta, type AlphaBetaOptions } from './rules/alpha-beta.js';
export { epsilon, type EpsilonOptions } from './rules/epsilon.js';
export { flat } from './rules/flat.js';
export { gamma, type GammaOptions } from './rules/gamma.js';
export { norm } from './rules/norm.js';
export { pass } from './rules/pass.js';
export { wSquare } from './rules/w-square.js';
export { winnerTakeAll } from './rules/winner-take-all.js';
export { zBox, type ZBoxOptions } from './rules/z-box.js';
export { zPlus } from './rules/z-plus.js';
export { eachParam, negativePart, positivePart, type ParamModifier } from './rules/param-modifiers.js';
export { epsilonComposite } from './composites/epsilon.js';
export { epsilonPlusFlatComposite } from './composites/epsilon-plus-flat.js';
export { epsilonGammaBoxComposite } from './composites/epsilon-gamma-box.js';
export { epsilonAlpha2Beta1Composite } from './composites/epsilon-alpha2-beta1.js';
export { lrp, lrpComposites, lrpRules } from './plugin.js';
