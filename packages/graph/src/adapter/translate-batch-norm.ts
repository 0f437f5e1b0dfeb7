/** Translation of `BatchNormalization` into a per-channel affine `batchNorm` node. */
import type { HostTensor, IRNode } from '@nrm/core';
import { hostWeights, requireWeight } from './host-weights.js';
import type { LayerContext } from './layer-context.js';

/** The normalized axis must be the last (channel) axis. */
function requireLastAxis(ctx: LayerContext, rankWithBatch: number): void {
  const raw = ctx.config['axis'] ?? -1;
  const axes = Array.isArray(raw) ? raw : [raw];
  const axis = axes[0];
  const ok = axes.length === 1 && typeof axis === 'number' && (axis === -1 || axis === rankWithBatch - 1);
  if (!ok) ctx.unsupported(`axis ${JSON.stringify(raw)}; only the last (channel) axis is supported`);
}

/** A `[C]` weight, or `fill` when the layer does not have it (`scale`/`center` false). */
function channelWeight(
  ctx: LayerContext,
  weights: ReadonlyMap<string, HostTensor>,
  key: string,
  present: boolean,
  channels: number,
  fill: number,
): Float32Array {
  if (!present) return new Float32Array(channels).fill(fill);
  const weight = requireWeight(ctx, weights, key);
  if (weight.data.length !== channels) {
    ctx.unsupported(`weight '${key}' has ${weight.data.length} values for ${channels} channels`);
  }
  return weight.data;
}

/**
 * `BatchNormalization` (inference) → `batchNorm` with `kernel = γ/√(σ² + ε)` and
 * `bias = β − μ·γ/√(σ² + ε)`, both `[C]` (γ = 1 without `scale`, β = 0 without `center`).
 * Computed in float64, stored in float32.
 */
export function translateBatchNorm(ctx: LayerContext): IRNode {
  const input = ctx.singleInput();
  requireLastAxis(ctx, ctx.outputShape.length + 1);
  const channels = ctx.outputShape[ctx.outputShape.length - 1] ?? ctx.unsupported('scalar input');
  const weights = hostWeights(ctx);
  const gamma = channelWeight(ctx, weights, 'gamma', ctx.boolean('scale', true), channels, 1);
  const beta = channelWeight(ctx, weights, 'beta', ctx.boolean('center', true), channels, 0);
  const mean = channelWeight(ctx, weights, 'moving_mean', true, channels, 0);
  const variance = channelWeight(ctx, weights, 'moving_variance', true, channels, 1);
  const epsilon = ctx.number('epsilon', 1e-3);
  const kernel = new Float32Array(channels);
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const scale = (gamma[c] as number) / Math.sqrt((variance[c] as number) + epsilon);
    kernel[c] = scale;
    bias[c] = (beta[c] as number) - (mean[c] as number) * scale;
  }
  return {
    id: ctx.name,
    op: 'batchNorm',
    inputs: [input.id],
    attrs: {},
    params: { kernel: { shape: [channels], data: kernel }, bias: { shape: [channels], data: bias } },
    outputShape: ctx.outputShape,
    source: ctx.source,
  };
}
