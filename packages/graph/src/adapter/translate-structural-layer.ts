/**
 * Translation of the parameter-free layers that move, merge or drop values: InputLayer, Flatten,
 * Reshape, Dropout, Add, Concatenate, UpSampling2D and ZeroPadding2D.
 */
import type { IRNode } from '@nrm/core';
import type { LayerContext } from './layer-context.js';

/** Fields shared by the nodes built here. */
function base(ctx: LayerContext) {
  return { id: ctx.name, inputs: ctx.inputs.map((input) => input.id), outputShape: ctx.outputShape, source: ctx.source };
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** `InputLayer` → `input`. */
export function translateInput(ctx: LayerContext): IRNode {
  return { ...base(ctx), inputs: [], op: 'input', attrs: { shape: ctx.outputShape } };
}

/** `Flatten` → `flatten` (channels-last, so Keras' H, W, C order). */
export function translateFlatten(ctx: LayerContext): IRNode {
  ctx.requireChannelsLast();
  ctx.singleInput();
  return { ...base(ctx), op: 'flatten', attrs: {} };
}

/** `Reshape` → `reshape`; the target shape is the resolved output shape (no `-1`). */
export function translateReshape(ctx: LayerContext): IRNode {
  ctx.singleInput();
  return { ...base(ctx), op: 'reshape', attrs: { targetShape: ctx.outputShape } };
}

/** `Dropout` → `dropout` (an identity at inference; removed by the passes). */
export function translateDropout(ctx: LayerContext): IRNode {
  ctx.singleInput();
  return { ...base(ctx), op: 'dropout', attrs: { rate: ctx.number('rate', 0) } };
}

/** `Add` → `add`; every input must have the output's shape (no broadcasting). */
export function translateAdd(ctx: LayerContext): IRNode {
  if (ctx.inputs.length < 2) ctx.unsupported(`expected at least two inputs, got ${ctx.inputs.length}`);
  for (const input of ctx.inputs) {
    if (!sameShape(input.shape, ctx.outputShape)) {
      ctx.unsupported(
        `input '${input.id}' of shape [${input.shape.join(', ')}] is broadcast to [${ctx.outputShape.join(', ')}]; ` +
          'only inputs of equal shapes are supported',
      );
    }
  }
  return { ...base(ctx), op: 'add', attrs: {} };
}

/** `Concatenate` → `concat` with the axis counted with the batch axis and made positive. */
export function translateConcatenate(ctx: LayerContext): IRNode {
  if (ctx.inputs.length < 2) ctx.unsupported(`expected at least two inputs, got ${ctx.inputs.length}`);
  const rankWithBatch = ctx.outputShape.length + 1;
  const raw = ctx.number('axis', -1);
  const axis = raw < 0 ? raw + rankWithBatch : raw;
  if (!Number.isInteger(axis) || axis < 1 || axis >= rankWithBatch) {
    ctx.unsupported(`axis ${raw}; only a non-batch axis of the rank-${rankWithBatch} input is supported`);
  }
  return { ...base(ctx), op: 'concat', attrs: { axis } };
}

/** `UpSampling2D` → `upSampling2d` (nearest-neighbour interpolation only). */
export function translateUpSampling2d(ctx: LayerContext): IRNode {
  ctx.requireChannelsLast();
  ctx.singleInput(3);
  const interpolation = ctx.config['interpolation'] ?? 'nearest';
  if (interpolation !== 'nearest') ctx.unsupported(`interpolation '${String(interpolation)}'; only 'nearest' is supported`);
  return { ...base(ctx), op: 'upSampling2d', attrs: { size: ctx.pair('size', [2, 2]) } };
}

/** Reads ZeroPadding2D's `padding` (a number, a pair, or `[[top, bottom], [left, right]]`). */
function zeroPadding(ctx: LayerContext): [[number, number], [number, number]] {
  const raw = ctx.config['padding'] ?? 1;
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (isNum(raw)) return [[raw, raw], [raw, raw]];
  if (Array.isArray(raw) && raw.length === 2) {
    const [h, w] = raw as unknown[];
    if (isNum(h) && isNum(w)) return [[h, h], [w, w]];
    const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(isNum);
    if (isPair(h) && isPair(w)) return [[h[0], h[1]], [w[0], w[1]]];
  }
  return ctx.unsupported(`padding ${JSON.stringify(raw)} is not a valid ZeroPadding2D padding`);
}

/** `ZeroPadding2D` → `zeroPadding2d` with `[[top, bottom], [left, right]]`. */
export function translateZeroPadding2d(ctx: LayerContext): IRNode {
  ctx.requireChannelsLast();
  ctx.singleInput(3);
  return { ...base(ctx), op: 'zeroPadding2d', attrs: { padding: zeroPadding(ctx) } };
}
