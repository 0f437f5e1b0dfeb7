/**
 * Neuron selection and critical paths (paper 001, METHODS.md §3): selected units per layer, the
 * heatmap of a selection, the relevance graph of a channel selection and its critical paths, path
 * heatmaps, and the selection optimizer with its MSE and SMAPE errors.
 */
export { selectLayers, selectionSet, selectUnits, unitCountOf, type SelectionSet, type SelectMode, type SelectSpec, type UnitSelection } from './select-units.js';
export { selectionEvent, selectionHeatmap, type SelectionHeatmapData, type SelectionInput } from './selection-heatmap.js';
export { relevanceGraph, type GraphEdge, type GraphNode, type RelevanceGraph, type RelevanceGraphOptions, type SampleGraph } from './relevance-graph.js';
export { criticalPaths, pathHeatmap, type CriticalPath, type PathHeatmapData } from './critical-paths.js';
export { autoKValues, optimizeSelection, type CurvePoint, type OptimizeOptions, type OptimizeResult, type SelectionMetric } from './optimize.js';
export { mse, smape, type NumericArray } from './metrics.js';
