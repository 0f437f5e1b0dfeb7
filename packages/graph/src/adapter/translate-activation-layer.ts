/** Translation of the activation layers: Activation, ReLU and Softmax. */
import type { IRNode } from '@nrm/core';
import type { LayerContext } from './layer-context.js';

/** An activation layer as an IR node of op `op`. */
function activationNode(ctx: LayerContext, op: 'relu' | 'identity' | 'softmax'): IRNode {
  const input = ctx.singleInput();
  const base = { id: ctx.name, inputs: [input.id], outputShape: ctx.outputShape, source: ctx.source, attrs: {} };
  if (op === 'relu') return { ...base, op };
  if (op === 'identity') return { ...base, op };
  return { ...base, op };
}

/** `Activation` → `relu`, `identity` (for `linear`) or `softmax`; other activations are rejected. */
export function translateActivation(ctx: LayerContext): IRNode {
  const activation = ctx.activation();
  return activationNode(ctx, activation === 'linear' ? 'identity' : activation);
}

/** `ReLU` → `relu`; a `maxValue`, `threshold` or `negativeSlope` makes it something else and is rejected. */
export function translateReLU(ctx: LayerContext): IRNode {
  for (const key of ['maxValue', 'threshold', 'negativeSlope']) {
    const value = ctx.config[key];
    if (value !== undefined && value !== null && !(key !== 'maxValue' && value === 0)) {
      ctx.unsupported(`${key} ${JSON.stringify(value)}; only a plain ReLU is supported`);
    }
  }
  return activationNode(ctx, 'relu');
}

/** `Softmax` → `softmax`, over the last axis only. */
export function translateSoftmax(ctx: LayerContext): IRNode {
  const raw = ctx.config['axis'] ?? -1;
  const axes = Array.isArray(raw) ? raw : [raw];
  const last = ctx.outputShape.length;
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== last)) {
    ctx.unsupported(`axis ${JSON.stringify(raw)}; only the last axis is supported`);
  }
  return activationNode(ctx, 'softmax');
}
