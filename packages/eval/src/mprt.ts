/**
 * The model parameter randomisation test (Adebayo et al. 2018): randomise the model's parameters
 * layer by layer, from the output down (cascading), explain again, and measure how similar each
 * new heatmap is to the original. An explanation that depends on what the model learned must
 * change; one that does not (an edge detector) stays the same.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError, type Graph } from '@nrm/core';
import { parameterLayers, randomizeParameters, type ParameterLayer } from './randomize-parameters.js';
import { spearman } from './spearman.js';
import { ssim, type SsimOptions } from './ssim.js';
import { finiteMean, mapShape } from './tensors.js';

/**
 * Explains `inputs` `[N, …]` with the model `graph` and returns the heatmaps `[N, H, W]` (which
 * the test disposes). The targets are the caller's business: keep them fixed (e.g. the original
 * predictions) so that only the parameters change.
 */
export type ExplainFunction = (graph: Graph, inputs: Tensor) => Tensor | Promise<Tensor>;

/** Options of {@link modelParameterRandomisation}. */
export interface MprtOptions {
  /** Seeds the new parameters (default 0). */
  readonly seed?: number;
  /** Layer names or node ids to randomise (default: every node with parameters). Always visited top-down. */
  readonly layers?: readonly string[];
  /** `true` (default): each stage adds one more layer to the randomised ones; `false`: one layer at a time. */
  readonly cascading?: boolean;
  /** Options of the SSIM (the heatmaps are first divided by their own max |R|). */
  readonly ssim?: SsimOptions;
  /** Also return each stage's heatmaps (host copies). */
  readonly keepHeatmaps?: boolean;
}

/** One stage of the test: the similarity of the heatmaps after randomising `randomized`. */
export interface MprtStage {
  /** The layer randomised at this stage (its source layer name). */
  readonly layer: string;
  /** Every node whose parameters are random at this stage. */
  readonly randomized: string[];
  /** Per sample, Spearman's rank correlation with the original heatmap. */
  readonly spearman: number[];
  /** Per sample, the rank correlation of the absolute values (sign flips ignored). */
  readonly spearmanAbs: number[];
  /** Per sample, the SSIM of the max-|R|-normalised heatmaps. */
  readonly ssim: number[];
  /** Means over the samples (NaN values left out). */
  readonly mean: { readonly spearman: number; readonly spearmanAbs: number; readonly ssim: number };
  /** The stage's heatmaps `[N·H·W]`, with `keepHeatmaps`. */
  readonly heatmaps?: Float32Array;
}

/** What {@link modelParameterRandomisation} returns. */
export interface MprtResult {
  /** Whether the stages cascade. */
  readonly cascading: boolean;
  /** The stages, top layer first. */
  readonly stages: MprtStage[];
  /** The original heatmaps `[N·H·W]`, with `keepHeatmaps`. */
  readonly original?: Float32Array;
}

function resolveLayers(graph: Graph, names: readonly string[] | undefined): ParameterLayer[] {
  const all = parameterLayers(graph);
  if (!names) return all;
  const chosen = new Set<string>();
  for (const name of names) {
    const matches = all.filter((l) => l.layer === name || l.node === name);
    if (matches.length === 0) {
      throw new InvalidArgumentError(`MPRT: '${name}' is not a layer with parameters; layers with parameters: ${[...new Set(all.map((l) => l.layer))].join(', ')}.`);
    }
    for (const m of matches) chosen.add(m.node);
  }
  return all.filter((l) => chosen.has(l.node));
}

async function heatmapsOf(explain: ExplainFunction, graph: Graph, inputs: Tensor): Promise<tf.Tensor3D> {
  const heat = await explain(graph, inputs);
  try {
    mapShape('The heatmaps of the explain function', heat);
  } catch (error) {
    heat.dispose();
    throw error;
  }
  return heat as tf.Tensor3D;
}

function maxAbsNormalised(t: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const m = tf.max(tf.abs(t), [1, 2], true);
    return tf.div(t, tf.where(tf.greater(m, 0), m, tf.onesLike(m)));
  });
}

/**
 * Runs the model parameter randomisation test. The parameterised layers are visited from the
 * output down; at stage `k` a copy of the graph with the top `k` of them randomised (or, with
 * `cascading: false`, only the `k`-th) is made by {@link randomizeParameters} (the given graph is
 * never modified), explained by `explain`, and each sample's heatmap is compared with the
 * original: Spearman's rank correlation (signed and of |R|) and the SSIM of the max-|R|-normalised
 * maps. A method passes when the similarities fall well below 1 as layers are randomised.
 *
 * @throws InvalidArgumentError for unknown layers; ShapeMismatchError if `explain` returns
 *   something other than `[N, H, W]`.
 */
export async function modelParameterRandomisation(
  graph: Graph,
  inputs: Tensor,
  explain: ExplainFunction,
  options: MprtOptions = {},
): Promise<MprtResult> {
  const cascading = options.cascading ?? true;
  const layers = resolveLayers(graph, options.layers).reverse();
  const original = await heatmapsOf(explain, graph, inputs);
  const originalNormalised = maxAbsNormalised(original);
  const [n, h, w] = original.shape;
  const size = h * w;
  const base = (await original.data()) as Float32Array;
  original.dispose();
  const stages: MprtStage[] = [];
  try {
    // Stages that randomise the same source layer (a split activation's linear part and, e.g.,
    // a folded batch norm) are grouped into one.
    const groups: ParameterLayer[][] = [];
    for (const l of layers) {
      const last = groups[groups.length - 1];
      if (last && last[0]!.layer === l.layer) last.push(l);
      else groups.push([l]);
    }
    const randomized: string[] = [];
    for (const group of groups) {
      const nodes = group.map((l) => l.node);
      if (cascading) randomized.push(...nodes);
      const now = cascading ? [...randomized] : nodes;
      const heat = await heatmapsOf(explain, randomizeParameters(graph, now, options.seed ?? 0), inputs);
      let ssimValues: number[];
      let values: Float32Array;
      try {
        if (heat.shape[0] !== n || heat.shape[1] !== h || heat.shape[2] !== w) {
          throw new InvalidArgumentError(`MPRT: the heatmaps after randomising '${group[0]!.layer}' are [${heat.shape.join(', ')}], the original ones [${n}, ${h}, ${w}].`);
        }
        const normalised = maxAbsNormalised(heat);
        try {
          ssimValues = await ssim(originalNormalised, normalised, { dataRange: 2, ...options.ssim });
        } finally {
          normalised.dispose();
        }
        values = (await heat.data()) as Float32Array;
      } finally {
        heat.dispose();
      }
      const rho: number[] = [];
      const rhoAbs: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = base.subarray(i * size, (i + 1) * size);
        const b = values.subarray(i * size, (i + 1) * size);
        rho.push(spearman(a, b));
        rhoAbs.push(spearman(a.map(Math.abs), b.map(Math.abs)));
      }
      stages.push({
        layer: group[0]!.layer,
        randomized: now,
        spearman: rho,
        spearmanAbs: rhoAbs,
        ssim: ssimValues,
        mean: { spearman: finiteMean(rho), spearmanAbs: finiteMean(rhoAbs), ssim: finiteMean(ssimValues) },
        ...(options.keepHeatmaps ? { heatmaps: Float32Array.from(values) } : {}),
      });
    }
  } finally {
    originalNormalised.dispose();
  }
  return { cascading, stages, ...(options.keepHeatmaps ? { original: base } : {}) };
}
