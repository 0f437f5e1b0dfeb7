/**
 * `@nrm/measure`: relevance as a normalized signed measure over sets of neurons across layers —
 * marginals, joints, conditionals, conditional heatmaps, subgraph events, channel flows and top
 * channel walks — on top of the `@nrm/core` engine.
 *
 * @packageDocumentation
 */
export {
  createMeasure,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_RELATIVE_TOLERANCE,
  type LayerInfo,
  type LayerTotals,
  type LayerTotalsData,
  type MeasureOptions,
  type RelevanceMeasure,
} from './measure.js';
export {
  allOf,
  channelRegion,
  channels,
  complement,
  intersection,
  neurons,
  perSample,
  region,
  threshold,
  topFraction,
  topK,
  union,
  type AllSet,
  type ChannelRegionSet,
  type ChannelsSet,
  type ComplementSet,
  type IntersectionSet,
  type NeuronSet,
  type NeuronsSet,
  type PerSampleSet,
  type Region,
  type RegionSet,
  type SelectionOptions,
  type SelectionUnit,
  type ThresholdSet,
  type TopFractionSet,
  type TopKSet,
  type UnionSet,
} from './sets.js';
export type {
  ChannelMarginals,
  ChannelMarginalsData,
  ConditionalHeatmap,
  ConditionalHeatmapData,
  ConditionalValue,
  ConditionalValueData,
  MeasureValue,
  MeasureValueData,
} from './results.js';
export type { HeatmapOptions } from './conditional.js';
export type { ChannelWalk, FlowPair, FlowPairData, Flows, FlowsData, FlowsOptions, RankedWalk } from './flows.js';
export { channelMasks } from './flows.js';
export { topWalks, walkScore, type WalkScore, type WalkSearchInput } from './walks.js';
export { regionTarget, type RegionTargetOptions } from './targets.js';
export type { MeasureFlag, MeasureFlagKind } from './flags.js';
export { LayerMismatchError, NotBelowTargetError } from './errors.js';
export { INPUT_ALIAS } from './layers.js';
export { fractionCount } from './selections.js';
export {
  autoKValues,
  criticalPaths,
  mse,
  optimizeSelection,
  pathHeatmap,
  relevanceGraph,
  selectionEvent,
  selectionHeatmap,
  selectionSet,
  selectLayers,
  selectUnits,
  smape,
  unitCountOf,
  type CriticalPath,
  type CurvePoint,
  type GraphEdge,
  type GraphNode,
  type NumericArray,
  type OptimizeOptions,
  type OptimizeResult,
  type PathHeatmapData,
  type RelevanceGraph,
  type RelevanceGraphOptions,
  type SampleGraph,
  type SelectionHeatmapData,
  type SelectionInput,
  type SelectionMetric,
  type SelectionSet,
  type SelectMode,
  type SelectSpec,
  type UnitSelection,
} from './selection/index.js';
