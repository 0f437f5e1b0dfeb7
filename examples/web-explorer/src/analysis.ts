/**
 * The explorer's computations on one digit, as host data: the prediction, the input heatmap
 * (optionally conditioned on one channel, CRP-style), the channel relevance of each conv layer and
 * the channel flows. Every tensor made here is disposed here.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Condition, Explainer, Target } from '@nrm/core';
import { createMeasure, type FlowsData } from '@nrm/measure';

/** The model's answer for one input. */
export interface Prediction {
  /** The output layer's values (logits). */
  readonly logits: number[];
  /** `softmax(logits)`. */
  readonly probabilities: number[];
  /** The arg-max class. */
  readonly predicted: number;
}

/** A channel to condition the heatmap on: `{layer, channel}`. */
export interface ChannelChoice {
  /** The layer name. */
  readonly layer: string;
  /** The channel (last axis). */
  readonly channel: number;
}

/** `softmax` in float64 (stable). */
export function softmax(values: readonly number[]): number[] {
  const max = Math.max(...values);
  const e = values.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Runs the forward pass of a batch of one. */
export async function predict(explainer: Explainer, x: Tensor): Promise<Prediction> {
  const out = explainer.forward(x);
  try {
    const logits = Array.from(await out.data());
    const probabilities = softmax(logits);
    return { logits, probabilities, predicted: logits.indexOf(Math.max(...logits)) };
  } finally {
    out.dispose();
  }
}

/** The explanation target: the output `layer`'s unit `unit` of the (single) sample. */
export function classTarget(layer: string, unit: number): Target {
  return { layer, indices: [[unit]] };
}

/**
 * The relevance at the input summed over its channels (`H × W`, row-major) for the target, or
 * CRP's conditional heatmap when `condition` is given: the relevance at `condition.layer` kept
 * only on `condition.channel` (`{layer, channels: [[c]]}`).
 */
export async function inputHeatmap(explainer: Explainer, x: Tensor, target: Target, condition?: ChannelChoice): Promise<Float32Array> {
  const conditions: Condition[] = condition ? [{ layer: condition.layer, channels: [[condition.channel]] }] : [];
  const explanation = explainer.explain(x, { target, conditions });
  try {
    const summed = tf.tidy(() => tf.sum(explanation.input, -1));
    try {
      return (await summed.data()) as Float32Array;
    } finally {
      summed.dispose();
    }
  } finally {
    explanation.dispose();
  }
}

/** What the measure package says about one digit: channel shares per layer and the flows. */
export interface MeasureReport {
  /** `μ(channel c @ layer)` (its share of the layer's relevance) for every analysed layer. */
  readonly channels: Record<string, number[]>;
  /** The flows between the flow layers with the top walks (absent if no flow layers were asked for). */
  readonly flows?: FlowsData;
}

/**
 * Channel marginals of `layers` (one backward walk) and the flows between `flowLayers` with the
 * top three walks (`@nrm/measure`). NaN marks a layer whose relevance sums to ≈ 0.
 */
export async function measureReport(
  explainer: Explainer,
  x: Tensor,
  target: Target,
  layers: readonly string[],
  flowLayers: readonly string[],
): Promise<MeasureReport> {
  const measure = createMeasure(explainer, x, target, { layers });
  try {
    const channels: Record<string, number[]> = {};
    for (const layer of layers) {
      const marginals = measure.channelMarginals(layer);
      try {
        channels[layer] = (await marginals.read()).value[0]!;
      } finally {
        marginals.dispose();
      }
    }
    if (flowLayers.length < 2) return { channels };
    const flows = measure.flows(flowLayers, { topK: 3 });
    try {
      return { channels, flows: await flows.read() };
    } finally {
      flows.dispose();
    }
  } finally {
    measure.dispose();
  }
}
