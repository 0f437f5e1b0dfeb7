/**
 * Critical paths of a relevance graph (paper 001, METHODS.md §3): its top output-to-input paths,
 * and the input heatmap of a path.
 */
import { InvalidArgumentError } from '@nrm/core';
import type { HeatmapOptions } from '../conditional.js';
import type { ChannelWalk } from '../flows.js';
import type { RelevanceMeasure } from '../measure.js';
import { channels, perSample } from '../sets.js';
import { topWalks, type WalkSearchInput } from '../walks.js';
import type { RelevanceGraph, SampleGraph } from './relevance-graph.js';
import { readHeatmap, type SelectionHeatmapData } from './selection-heatmap.js';

/** A path through the graph: one selected channel per analysed layer, bottom to top. */
export interface CriticalPath extends ChannelWalk {
  /** The path score (see {@link criticalPaths}). */
  readonly score: number;
}

/** The walk search over one sample's graph, on the compact indices of its nodes. */
function searchInput(graph: SampleGraph): WalkSearchInput {
  const position = graph.nodes.map((layer) => new Map(layer.map((node, i) => [node.channel, i])));
  const flows = graph.edges.map((edges, j) => {
    const matrix = graph.nodes[j]!.map(() => graph.nodes[j + 1]!.map(() => Number.NaN));
    for (const e of edges) {
      const a = position[j]!.get(e.from);
      const b = position[j + 1]!.get(e.to);
      if (a === undefined || b === undefined) throw new InvalidArgumentError(`Edge ${e.from}@${e.lower} → ${e.to}@${e.upper} joins channels that are not nodes.`);
      matrix[a]![b] = e.value;
    }
    return matrix;
  });
  return {
    flows,
    marginals: graph.nodes.map((layer) => layer.map((node) => node.value)),
    zero: graph.nodes.map((layer) => layer.map((node) => node.zero)),
  };
}

/**
 * The top-`k` output-to-input paths of each sample's relevance graph, highest score first (ties:
 * by channels, lexicographic bottom to top). A path `(c_1@l_1, …, c_L@l_L)` has one selected
 * channel per analysed layer, and its **score is the product of the conditionals along its edges
 * from the output down to the input**:
 *
 * ```
 * score = μ(c_L) · Π_{j<L} μ(c_j | c_{j+1}),   μ(a | b) = J[a][b] / μ(b)
 * ```
 *
 * where `μ(c_L) = μ(c_L | output)` is the first edge, from the explained output to the top layer.
 * This is the Markov estimate of the path's joint `μ(c_1@l_1, …, c_L@l_L)` (exact for two layers,
 * where it is `J[c_1][c_2]`), the score of {@link topWalks} restricted to the selected channels.
 * Paths through a channel with `μ ≈ 0` above the lowest layer have no score and are skipped. The
 * search is the exact max-product programme of {@link topWalks} (signed factors allowed). Pure host
 * code.
 */
export function criticalPaths(graph: RelevanceGraph, k: number): CriticalPath[][] {
  if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`criticalPaths needs an integer k ≥ 0, got ${k}.`);
  return graph.samples.map((sample) => {
    const found = topWalks(searchInput(sample), k);
    return found.map((w) => ({
      layers: [...graph.layers],
      channels: w.channels.map((i, j) => sample.nodes[j]![i]!.channel),
      score: w.score,
    }));
  });
}

/** Host copy of a path's heatmap: a selection heatmap whose `given` is the path's exact joint. */
export interface PathHeatmapData extends SelectionHeatmapData {
  /** `μ(c_1@l_1, …, c_L@l_L)` per sample: the exact joint measure of the path (= `given`; 0 without a path). */
  readonly joint: number[];
}

/**
 * The conditional heatmap (default at the input) given a path: the relevance of the walks through
 * each of the path's channels, i.e. {@link RelevanceMeasure.walkHeatmap}. Give one path for every
 * sample, or one per sample (`paths[n]`, `null` for a sample without one: its raw heatmap is 0 and
 * its normalized heatmap NaN with a `heatmap-zero` flag). One backward walk; read to the host.
 */
export async function pathHeatmap(
  measure: RelevanceMeasure,
  paths: ChannelWalk | readonly (ChannelWalk | null | undefined)[],
  options: HeatmapOptions = {},
): Promise<PathHeatmapData> {
  const list: readonly (ChannelWalk | null | undefined)[] = Array.isArray(paths)
    ? paths
    : Array.from({ length: measure.batch }, () => paths as ChannelWalk);
  if (list.length !== measure.batch) {
    throw new InvalidArgumentError(`pathHeatmap got ${list.length} paths for a batch of ${measure.batch}; give one path, or one per sample.`);
  }
  const first = list.find((p): p is ChannelWalk => p !== null && p !== undefined);
  if (!first) throw new InvalidArgumentError('pathHeatmap needs at least one path.');
  for (const p of list) {
    if (!p) continue;
    if (p.layers.length === 0 || p.channels.length !== p.layers.length) {
      throw new InvalidArgumentError(`A path needs one channel per layer (at least one); got ${p.channels.length} channels for ${p.layers.length} layers.`);
    }
    if (p.layers.length !== first.layers.length || p.layers.some((l, j) => l !== first.layers[j])) {
      throw new InvalidArgumentError('The paths of pathHeatmap must all go through the same layers.');
    }
  }
  const events = first.layers.map((layer, j) => perSample(list.map((p) => channels(layer, p ? [p.channels[j]!] : []))));
  const data = await readHeatmap(measure.conditionalHeatmap(events, options));
  return { ...data, joint: data.given.map((g, n) => (list[n] ? g : 0)) };
}
