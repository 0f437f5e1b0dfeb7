/**
 * `@nrm/rules-relative`: Relative LRP (R-LRP) as NRM rules: division-free relevance messages on
 * linear nodes with a reported per-layer factor, a guarded share split at residual Adds, and no
 * hyperparameter. Our reading of the abstract of arXiv:2501.14322, to be checked against the
 * paper's full text (see `docs/relative.md`).
 *
 * @packageDocumentation
 */
export { relativeLinear } from './rules/linear.js';
export { relativeAdd, CANCELLATION } from './rules/add.js';
export { relativePass } from './rules/pass.js';
export { relativeWinnerTakeAll } from './rules/winner-take-all.js';
export { relativeComposite } from './composites/relative.js';
export { layerFactors, rescale, type LayerFactors } from './factors.js';
export { relative, relativeRules } from './plugin.js';
