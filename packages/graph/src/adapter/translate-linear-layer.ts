/** Translation of the layers with a kernel: Dense, Conv2D, Conv2DTranspose and DepthwiseConv2D. */
import type { HostTensor, IRNode, NodeParams } from '@nrm/core';
import { hostWeights, requireWeight } from './host-weights.js';
import type { FusedActivation, LayerContext } from './layer-context.js';

/** The node fields every linear layer shares: id, inputs, shape, fused activation, source. */
function common(ctx: LayerContext, inputId: string) {
  const activation: FusedActivation = ctx.activation();
  return {
    id: ctx.name,
    inputs: [inputId],
    outputShape: ctx.outputShape,
    source: ctx.source,
    ...(activation === 'linear' ? {} : { activation }),
  };
}

/** Kernel (under `kernelKey`) and, when the layer uses one, its bias. */
function params(ctx: LayerContext, kernelKey: string): NodeParams {
  const weights = hostWeights(ctx);
  const kernel: HostTensor = requireWeight(ctx, weights, kernelKey);
  const useBias = ctx.boolean('useBias', true);
  return useBias ? { kernel, bias: requireWeight(ctx, weights, 'bias') } : { kernel };
}

/** Rejects a dilation other than 1 (for layers whose dilation NRM does not represent). */
function requireNoDilation(ctx: LayerContext): void {
  const fromLayer = (ctx.layer as unknown as { dilationRate?: unknown }).dilationRate;
  const value = ctx.config['dilationRate'] ?? fromLayer;
  const dims = typeof value === 'number' ? [value] : Array.isArray(value) ? value : [];
  if (dims.some((d) => d !== 1)) ctx.unsupported(`dilation rate ${JSON.stringify(value)} (only 1 is supported here)`);
}

/** `Dense` → `dense` (kernel `[in, out]`), on a rank-1 input only. */
export function translateDense(ctx: LayerContext): IRNode {
  const input = ctx.singleInput(1);
  return { ...common(ctx, input.id), op: 'dense', attrs: {}, params: params(ctx, 'kernel') };
}

/** `Conv2D` → `conv2d` (kernel `[kh, kw, in, out]`). */
export function translateConv2d(ctx: LayerContext): IRNode {
  ctx.requireChannelsLast();
  const input = ctx.singleInput(3);
  const attrs = { strides: ctx.pair('strides', [1, 1]), padding: ctx.padding(), dilations: ctx.pair('dilationRate', [1, 1]) };
  return { ...common(ctx, input.id), op: 'conv2d', attrs, params: params(ctx, 'kernel') };
}

/** `Conv2DTranspose` → `conv2dTranspose` (kernel `[kh, kw, out, in]`); no dilation, no output padding. */
export function translateConv2dTranspose(ctx: LayerContext): IRNode {
  ctx.requireChannelsLast();
  requireNoDilation(ctx);
  const outputPadding = ctx.config['outputPadding'];
  if (outputPadding !== undefined && outputPadding !== null) ctx.unsupported('outputPadding is not supported');
  const input = ctx.singleInput(3);
  const attrs = { strides: ctx.pair('strides', [1, 1]), padding: ctx.padding() };
  return { ...common(ctx, input.id), op: 'conv2dTranspose', attrs, params: params(ctx, 'kernel') };
}

/** `DepthwiseConv2D` → `depthwiseConv2d` (kernel `[kh, kw, in, multiplier]`). */
export function translateDepthwiseConv2d(ctx: LayerContext): IRNode {
  ctx.requireChannelsLast();
  const input = ctx.singleInput(3);
  const attrs = { strides: ctx.pair('strides', [1, 1]), padding: ctx.padding(), dilations: ctx.pair('dilationRate', [1, 1]) };
  return { ...common(ctx, input.id), op: 'depthwiseConv2d', attrs, params: params(ctx, 'depthwise_kernel') };
}
