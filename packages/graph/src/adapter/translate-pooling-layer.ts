/** Translation of the pooling layers (windowed and global). */
import type { IRNode } from '@nrm/core';
import type { LayerContext } from './layer-context.js';

/** `MaxPooling2D` / `AveragePooling2D` → `maxPool2d` / `avgPool2d` (strides default to the pool size). */
export function translatePool2d(ctx: LayerContext, op: 'maxPool2d' | 'avgPool2d'): IRNode {
  ctx.requireChannelsLast();
  const input = ctx.singleInput(3);
  const poolSize = ctx.pair('poolSize', [2, 2]);
  const attrs = { poolSize, strides: ctx.pair('strides', poolSize), padding: ctx.padding() };
  const base = { id: ctx.name, inputs: [input.id], outputShape: ctx.outputShape, source: ctx.source };
  return op === 'maxPool2d' ? { ...base, op, attrs } : { ...base, op, attrs };
}

/** `GlobalAveragePooling2D` / `GlobalMaxPooling2D` → `globalAvgPool2d` / `globalMaxPool2d`. */
export function translateGlobalPool2d(ctx: LayerContext, op: 'globalAvgPool2d' | 'globalMaxPool2d'): IRNode {
  ctx.requireChannelsLast();
  const input = ctx.singleInput(3);
  const attrs = { keepDims: ctx.boolean('keepDims', false) };
  const base = { id: ctx.name, inputs: [input.id], outputShape: ctx.outputShape, source: ctx.source };
  return op === 'globalAvgPool2d' ? { ...base, op, attrs } : { ...base, op, attrs };
}
