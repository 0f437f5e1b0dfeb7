/**
 * `@nrm/eval`: measures of explanation quality — completeness (conservation per layer), pixel
 * flipping and region perturbation, relevance mass accuracy and the pointing game against
 * ground-truth masks, the model parameter randomisation test (with Spearman rank correlation and
 * SSIM), sparseness (Gini), and the MSE / SMAPE / coverage scores of the seed papers. Every metric
 * is a function of tensors that runs on any tfjs backend and disposes what it creates.
 *
 * @packageDocumentation
 */
export { heatmapOf } from './heatmap.js';
export { edgeHeatmaps, randomHeatmaps } from './controls.js';
export { trapezoidAuc } from './auc.js';
export {
  completeness,
  type CompletenessOptions,
  type CompletenessResult,
  type ConservationInput,
  type LayerConservation,
} from './completeness.js';
export { replacementImages, type Replacement } from './replacement.js';
export {
  perturbationCurve,
  pixelFlipping,
  regionPerturbation,
  type ModelFunction,
  type PerturbationInput,
  type PerturbationOptions,
  type PerturbationOrder,
  type PerturbationResult,
} from './perturbation.js';
export { relevanceMassAccuracy } from './mass-accuracy.js';
export { pointingGame, type PointingGameOptions } from './pointing-game.js';
export { averageRanks, spearman } from './spearman.js';
export { ssim, type SsimOptions } from './ssim.js';
export { parameterLayers, randomizeParameters, type ParameterLayer } from './randomize-parameters.js';
export {
  modelParameterRandomisation,
  type ExplainFunction,
  type MprtOptions,
  type MprtResult,
  type MprtStage,
} from './mprt.js';
export { gini } from './sparseness.js';
export {
  heatmapErrors,
  normaliseRows,
  type HeatmapErrorOptions,
  type HeatmapErrors,
  type HeatmapNormalisation,
} from './heatmap-errors.js';
export { coverage, type CoverageOptions, type CoverageResult } from './coverage.js';
export * from './datasets/index.js';
