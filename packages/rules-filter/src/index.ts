/**
 * `@nrm/rules-filter`: layer-wise amplitude filtering of the relevance leaving chosen layers
 * (clamp, pass, amplify on the per-sample max-normalized relevance, after Tjoa & Guan), ready for
 * `createExplainer({ outgoing })`, and the percentile-mean-power diagnostic.
 *
 * @packageDocumentation
 */
export { filterNormalized, type NormalizedRelevance, type RelevanceFilter } from './filters/amplitude.js';
export { clampFilter } from './filters/clamp.js';
export { passFilter } from './filters/pass.js';
export { amplifyFilter } from './filters/amplify.js';
export { createFilter, formatFilterSpec, isFilterOp, FILTER_OPS, type FilterOp, type FilterSpec } from './spec/filter-spec.js';
export { parseFilterSpec } from './spec/parse.js';
export { resolveFilterLayer, withFilters, type OutgoingTransform } from './spec/with-filters.js';
export { signPercentileMeanPower, samplePercentileMeanPower, LOWER_FRACTION, ZERO_LOWER_MEAN } from './diagnostic/sign-power.js';
export { diagnose, percentileMeanPower, type PercentileMeanPowerOptions } from './diagnostic/percentile-mean-power.js';
