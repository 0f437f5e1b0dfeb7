/**
 * Float64 matrix-form references of the first-party LRP rules, written from the definitions in the
 * fixtures README (not from the engine's code), for the rule tester.
 */
import type { ReferenceContext } from '../rule-tester/rule-tester.js';
import { add, map, mul, neg, pos, ratio, sub, times, transposeTimes } from './matrix-math.js';

export * as matrix from './matrix-math.js';

/** The context every reference here takes. */
export type Ctx = ReferenceContext<Record<string, unknown>>;

function needA(ctx: Ctx): Float64Array {
  if (!ctx.A) throw new Error('this reference needs a linear node');
  return ctx.A;
}

/** `W⁺`/`W⁻` of the matrix, and the modified matrices of the γ rule. */
const mapA = (A: Float64Array, f: (v: number) => number) => map(A, f);

/** Epsilon: `x ⊙ Aᵀ[R ⊘ stab_ε(Ax + b)]`. */
export function epsilon(ctx: Ctx): Float64Array {
  const eps = (ctx.options['epsilon'] as number | undefined) ?? 1e-6;
  return mul(ctx.x, transposeTimes(needA(ctx), ratio(ctx.R, ctx.z, eps), ctx.nOut, ctx.nIn));
}

/** z⁺. */
export function zPlus(ctx: Ctx): Float64Array {
  const A = needA(ctx);
  const Ap = mapA(A, (v) => Math.max(v, 0));
  const An = mapA(A, (v) => Math.min(v, 0));
  const xp = pos(ctx.x);
  const xn = neg(ctx.x);
  const zp = add(add(times(Ap, xp, ctx.nOut, ctx.nIn), times(An, xn, ctx.nOut, ctx.nIn)), pos(ctx.b));
  const s = ratio(ctx.R, zp);
  return add(mul(xp, transposeTimes(Ap, s, ctx.nOut, ctx.nIn)), mul(xn, transposeTimes(An, s, ctx.nOut, ctx.nIn)));
}

/** αβ. */
export function alphaBeta(ctx: Ctx): Float64Array {
  const alpha = (ctx.options['alpha'] as number | undefined) ?? 2;
  const beta = (ctx.options['beta'] as number | undefined) ?? 1;
  const A = needA(ctx);
  const { nOut, nIn } = ctx;
  const Ap = mapA(A, (v) => Math.max(v, 0));
  const An = mapA(A, (v) => Math.min(v, 0));
  const xp = pos(ctx.x);
  const xn = neg(ctx.x);
  const zp = add(add(times(Ap, xp, nOut, nIn), times(An, xn, nOut, nIn)), pos(ctx.b));
  const zn = add(add(times(An, xp, nOut, nIn), times(Ap, xn, nOut, nIn)), neg(ctx.b));
  const sp = ratio(ctx.R, zp);
  const sn = ratio(ctx.R, zn);
  const plus = add(mul(xp, transposeTimes(Ap, sp, nOut, nIn)), mul(xn, transposeTimes(An, sp, nOut, nIn)));
  const minus = add(mul(xp, transposeTimes(An, sn, nOut, nIn)), mul(xn, transposeTimes(Ap, sn, nOut, nIn)));
  return sub(map(plus, (v) => alpha * v), map(minus, (v) => beta * v));
}

/** Generalized, sign-aware γ. */
export function gamma(ctx: Ctx): Float64Array {
  const g = (ctx.options['gamma'] as number | undefined) ?? 0.25;
  const A = needA(ctx);
  const { nOut, nIn } = ctx;
  const up = mapA(A, (v) => v + g * Math.max(v, 0));
  const down = mapA(A, (v) => v + g * Math.min(v, 0));
  const bUp = map(ctx.b, (v) => v + g * Math.max(v, 0));
  const bDown = map(ctx.b, (v) => v + g * Math.min(v, 0));
  const xp = pos(ctx.x);
  const xn = neg(ctx.x);
  const zp = add(add(times(up, xp, nOut, nIn), times(down, xn, nOut, nIn)), bUp);
  const zn = add(add(times(down, xp, nOut, nIn), times(up, xn, nOut, nIn)), bDown);
  const sp = map(ratio(ctx.R, zp), (v, i) => (ctx.z[i]! > 0 ? v : 0));
  const sn = map(ratio(ctx.R, zn), (v, i) => (ctx.z[i]! < 0 ? v : 0));
  return add(
    add(mul(xp, transposeTimes(up, sp, nOut, nIn)), mul(xn, transposeTimes(down, sp, nOut, nIn))),
    add(mul(xp, transposeTimes(down, sn, nOut, nIn)), mul(xn, transposeTimes(up, sn, nOut, nIn))),
  );
}

/** z^B with bounds `low`, `high`. */
export function zBox(ctx: Ctx): Float64Array {
  const low = ctx.options['low'] as number;
  const high = ctx.options['high'] as number;
  const A = needA(ctx);
  const { nOut, nIn } = ctx;
  const Ap = mapA(A, (v) => Math.max(v, 0));
  const An = mapA(A, (v) => Math.min(v, 0));
  const L = new Float64Array(nIn).fill(low);
  const H = new Float64Array(nIn).fill(high);
  const z = sub(sub(ctx.z, add(times(Ap, L, nOut, nIn), pos(ctx.b))), add(times(An, H, nOut, nIn), neg(ctx.b)));
  const s = ratio(ctx.R, z);
  return sub(
    sub(mul(ctx.x, transposeTimes(A, s, nOut, nIn)), mul(L, transposeTimes(Ap, s, nOut, nIn))),
    mul(H, transposeTimes(An, s, nOut, nIn)),
  );
}

/** Flat: `A₁ᵀ[R ⊘ stab(A₁𝟙)]` with `A₁ = [A ≠ 0]` (the receptive field). */
export function flat(ctx: Ctx): Float64Array {
  const ones = mapA(needA(ctx), (v) => (v !== 0 ? 1 : 0));
  const z = times(ones, new Float64Array(ctx.nIn).fill(1), ctx.nOut, ctx.nIn);
  return transposeTimes(ones, ratio(ctx.R, z), ctx.nOut, ctx.nIn);
}

/** w²: `(A²)ᵀ[R ⊘ stab(A²𝟙)]`. */
export function wSquare(ctx: Ctx): Float64Array {
  const sq = mapA(needA(ctx), (v) => v * v);
  const z = times(sq, new Float64Array(ctx.nIn).fill(1), ctx.nOut, ctx.nIn);
  return transposeTimes(sq, ratio(ctx.R, z), ctx.nOut, ctx.nIn);
}

/** Norm on a parameter-free sum: epsilon with ε = 1e-6. */
export const norm = (ctx: Ctx) => epsilon({ ...ctx, options: { epsilon: 1e-6 } });

/** Plain gradient of a linear node: `Aᵀ R`. */
export const linearGradient = (ctx: Ctx) => transposeTimes(needA(ctx), ctx.R, ctx.nOut, ctx.nIn);

/** Pass. */
export const identity = (ctx: Ctx) => Float64Array.from(ctx.R);

/**
 * Max pooling by brute force (valid padding, square windows): every window sends its relevance to
 * its first maximum in row-major order; an element that wins several windows gets the sum.
 */
export function winnerTakeAll(size: number, stride: number) {
  return (ctx: Ctx): Float64Array => {
    const [, w, c] = ctx.inputShapes[0] as [number, number, number];
    const [oh, ow] = ctx.outputShape as [number, number, number];
    const out = new Float64Array(ctx.nIn);
    for (let r = 0; r < oh; r++)
      for (let q = 0; q < ow; q++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < size; i++)
            for (let j = 0; j < size; j++) {
              const idx = ((r * stride + i) * w + (q * stride + j)) * c + ch;
              if (ctx.x[idx]! > best) [best, at] = [ctx.x[idx]!, idx];
            }
          out[at]! += ctx.R[(r * ow + q) * c + ch]!;
        }
    return out;
  };
}

/** Global max pooling by brute force: each channel's relevance to its first maximum. */
export function globalWinnerTakeAll(ctx: Ctx): Float64Array {
  const out = new Float64Array(ctx.nIn);
  for (let ch = 0; ch < ctx.nOut; ch++) {
    let at = ch;
    for (let i = ch; i < ctx.nIn; i += ctx.nOut) if (ctx.x[i]! > ctx.x[at]!) at = i;
    out[at] = ctx.R[ch]!;
  }
  return out;
}
