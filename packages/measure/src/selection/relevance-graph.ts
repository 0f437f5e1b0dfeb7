/**
 * The relevance graph of a channel selection (paper 001, METHODS.md §3): nodes are the selected
 * channels of each analysed layer, edges the relevance passed between selected channels of
 * adjacent analysed layers (the flow matrix `J` restricted to them).
 */
import { InvalidArgumentError } from '@nrm/core';
import type { RelevanceMeasure } from '../measure.js';
import type { UnitSelection } from './select-units.js';

/** A selected channel. */
export interface GraphNode {
  /** Its layer. */
  readonly layer: string;
  /** Its channel index (last axis). */
  readonly channel: number;
  /** `μ(channel @ layer)`, its normalized relevance. */
  readonly value: number;
  /** Whether `μ ≈ 0` (the measure's relative tolerance): conditionals given it are undefined. */
  readonly zero: boolean;
}

/** The relevance passed from a selected channel of a lower layer to one of the next analysed layer. */
export interface GraphEdge {
  /** The lower layer (nearer the input). */
  readonly lower: string;
  /** The upper layer. */
  readonly upper: string;
  /** Channel of the lower layer. */
  readonly from: number;
  /** Channel of the upper layer. */
  readonly to: number;
  /** `J[from][to] = μ(from@lower, to@upper)`, normalized at the lower layer. */
  readonly value: number;
  /** `μ(from | to) = J[from][to] / μ(to@upper)`; NaN where `μ(to) ≈ 0`. */
  readonly conditional: number;
}

/** The graph of one sample. */
export interface SampleGraph {
  /** `nodes[j]`: the selected channels of layer `j` (bottom to top), by channel index ascending. */
  readonly nodes: GraphNode[][];
  /** `edges[j]`: every (selected, selected) pair between layers `j` and `j + 1`, row-major by `from`, `to`. */
  readonly edges: GraphEdge[][];
}

/** The relevance graph of a selection over analysed layers, one per sample. */
export interface RelevanceGraph {
  /** The analysed layers, bottom (input side) to top. */
  readonly layers: string[];
  /** One graph per sample. */
  readonly samples: SampleGraph[];
}

/** Options of {@link relevanceGraph}. */
export interface RelevanceGraphOptions {
  /** Rows per backward chunk of the flow computation (default: the measure's). */
  readonly chunkSize?: number;
}

/** The selections ordered like `layers` sorted bottom to top (one channel selection per layer). */
function orderSelections(measure: RelevanceMeasure, layers: readonly string[], selections: readonly UnitSelection[]) {
  if (layers.length === 0) throw new InvalidArgumentError('relevanceGraph needs at least one layer.');
  const resolved = layers.map((name) => ({ name, info: measure.layer(name) }));
  const ids = new Set(resolved.map((l) => l.info.id));
  if (ids.size !== resolved.length) throw new InvalidArgumentError(`relevanceGraph got a layer twice in [${layers.join(', ')}].`);
  for (const s of selections) {
    if (s.spec.unit !== 'channel') throw new InvalidArgumentError(`relevanceGraph needs channel selections; the one on '${s.layer}' selects ${s.spec.unit}s.`);
    if (!ids.has(measure.layer(s.layer).id)) throw new InvalidArgumentError(`The selection on '${s.layer}' is not on one of the layers [${layers.join(', ')}].`);
  }
  return resolved
    .sort((a, b) => a.info.position - b.info.position)
    .map((l) => {
      const found = selections.filter((s) => measure.layer(s.layer).id === l.info.id);
      if (found.length !== 1) throw new InvalidArgumentError(`relevanceGraph needs one selection on '${l.name}', got ${found.length}.`);
      return { layer: l.name, selection: found[0]! };
    });
}

/** Per sample and channel: `μ ≈ 0` by the measure's test `|μ · Z| ≤ rtol · Σ|R|`. */
async function zeroChannels(measure: RelevanceMeasure, layer: string, marginals: readonly (readonly number[])[]): Promise<boolean[][]> {
  const totals = measure.totals(layer);
  try {
    const { total, absolute } = await totals.read();
    return marginals.map((row, n) =>
      row.map((m) => Number.isNaN(m) || Math.abs(m * total[n]!) <= measure.relativeTolerance * absolute[n]!),
    );
  } finally {
    totals.dispose();
  }
}

/**
 * The relevance graph of channel selections (one per analysed layer, e.g. from
 * {@link selectLayers}): nodes are each sample's selected channels with their `μ`, edges every pair
 * of selected channels of adjacent analysed layers with `J[a][b] = μ(a@l, b@m)` from
 * {@link RelevanceMeasure.flows} (the full flow matrix restricted to the selection; it is not
 * conditioned on the selections of the other layers) and the edge conditional `μ(a | b)`. Layers
 * are sorted by topology. Costs `L − 1` batched backward walks; nothing is left to dispose.
 */
export async function relevanceGraph(
  measure: RelevanceMeasure,
  layers: readonly string[],
  selections: readonly UnitSelection[],
  options: RelevanceGraphOptions = {},
): Promise<RelevanceGraph> {
  const ordered = orderSelections(measure, layers, selections);
  const names = ordered.map((o) => o.layer);
  const marginals: number[][][] = [];
  for (const name of names) {
    const result = measure.channelMarginals(name);
    try {
      marginals.push((await result.read()).value);
    } finally {
      result.dispose();
    }
  }
  const zeros = await Promise.all(names.map((name, j) => zeroChannels(measure, name, marginals[j]!)));
  let J: number[][][][] = [];
  if (names.length > 1) {
    const flows = measure.flows(names, { topK: 0, ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }) });
    try {
      J = (await flows.read()).pairs.map((p) => p.J);
    } finally {
      flows.dispose();
    }
  }
  const samples = Array.from({ length: measure.batch }, (_, n): SampleGraph => {
    const nodes = ordered.map(({ layer, selection }, j) =>
      [...selection.units[n]!].sort((a, b) => a - b).map((c) => ({ layer, channel: c, value: marginals[j]![n]![c]!, zero: zeros[j]![n]![c]! })),
    );
    const edges = nodes.slice(0, -1).map((lower, j) =>
      lower.flatMap((a) =>
        nodes[j + 1]!.map((b) => {
          const value = J[j]![n]![a.channel]![b.channel]!;
          return { lower: a.layer, upper: b.layer, from: a.channel, to: b.channel, value, conditional: b.zero ? Number.NaN : value / b.value };
        }),
      ),
    );
    return { nodes, edges };
  });
  return { layers: names, samples };
}
