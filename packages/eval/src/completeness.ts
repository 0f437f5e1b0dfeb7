/**
 * Completeness (conservation): how far the relevance at each recorded layer, summed per sample,
 * is from the relevance the explanation started with.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@nrm/core';
import { finiteMean, rowSums } from './tensors.js';

/** What {@link completeness} reads: the parts of an `Explanation` (from `explain(x, { record })`). */
export interface ConservationInput {
  /** The relevance at the model input, `[N, …]` (shape `[0]` when the walk stopped above it). */
  readonly input: Tensor;
  /** The relevance at each recorded layer, `[N, …]`. */
  readonly layers: Readonly<Record<string, Tensor>>;
  /** The seed of the backward walk, `[N, …target layer shape]`. */
  readonly seed: Tensor;
}

/** The conservation of one layer, per sample. */
export interface LayerConservation {
  /** The recorded layer's name, or `'input'`. */
  readonly layer: string;
  /** `Σ R_l` per sample. */
  readonly totals: number[];
  /**
   * `(Σ R_l − Σ seed) / |Σ seed|` per sample: 0 when the layer conserves the seed exactly,
   * −1 when all relevance was absorbed; NaN where `Σ seed = 0`.
   */
  readonly relativeError: number[];
  /** Mean over the samples of `|relativeError|` (NaN values left out). */
  readonly meanAbsoluteRelativeError: number;
}

/** What {@link completeness} returns. */
export interface CompletenessResult {
  /** `Σ seed` per sample: the target output for the usual seed (the target's value, 0 elsewhere). */
  readonly reference: number[];
  /** One entry per recorded layer (in the order of `options.layers`, else of `explanation.layers`), then `'input'`. */
  readonly layers: LayerConservation[];
  /** The input's entry (also the last of `layers`); absent when the walk stopped above the input. */
  readonly input?: LayerConservation;
}

/** Options of {@link completeness}. */
export interface CompletenessOptions {
  /** The recorded layers to check, in this order (default: all of `explanation.layers`). */
  readonly layers?: readonly string[];
}

/**
 * Completeness of an explanation, layer by layer: for every recorded layer `l` and sample `n`,
 * `(Σ R_l − Σ seed) / |Σ seed|`, the relative conservation error. Conservative LRP rules on a
 * network without biases give 0 up to rounding (and up to the ε absorbed by LRP-ε); biases,
 * ε and the flat/box rules' choices make it move away from 0; a gradient "relevance" is not meant
 * to conserve anything, and R-LRP conserves only up to its reported factor. The tensors are
 * read, not disposed.
 *
 * @throws InvalidArgumentError when `options.layers` names a layer the explanation did not record.
 */
export async function completeness(explanation: ConservationInput, options: CompletenessOptions = {}): Promise<CompletenessResult> {
  const names = options.layers ?? Object.keys(explanation.layers);
  for (const name of names) {
    if (!(name in explanation.layers)) {
      throw new InvalidArgumentError(
        `completeness: layer '${name}' was not recorded; pass it in explain(x, { record: [...] }). Recorded: ${Object.keys(explanation.layers).join(', ') || '(none)'}.`,
      );
    }
  }
  const reference = Array.from(await rowSums(explanation.seed));
  const entry = async (layer: string, t: Tensor): Promise<LayerConservation> => {
    const totals = Array.from(await rowSums(t));
    if (totals.length !== reference.length) {
      throw new InvalidArgumentError(
        `completeness: layer '${layer}' has ${totals.length} rows but the seed has ${reference.length}; an expanding condition multiplies the rows below its layer.`,
      );
    }
    const relativeError = totals.map((total, n) => (reference[n] === 0 ? Number.NaN : (total - reference[n]!) / Math.abs(reference[n]!)));
    return { layer, totals, relativeError, meanAbsoluteRelativeError: finiteMean(relativeError.map(Math.abs)) };
  };
  const layers: LayerConservation[] = [];
  for (const name of names) layers.push(await entry(name, explanation.layers[name]!));
  if (explanation.input.size === 0) return { reference, layers };
  const input = await entry('input', explanation.input);
  layers.push(input);
  return { reference, layers, input };
}
