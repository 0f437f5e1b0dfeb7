/** Float64 matrix helpers for references (`A` row-major `[nOut][nIn]`). */

/** `A x`. */
export function times(A: Float64Array, x: ArrayLike<number>, nOut: number, nIn: number): Float64Array {
  const out = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) {
    let acc = 0;
    for (let i = 0; i < nIn; i++) acc += A[o * nIn + i]! * x[i]!;
    out[o] = acc;
  }
  return out;
}

/** `Aᵀ s`. */
export function transposeTimes(A: Float64Array, s: ArrayLike<number>, nOut: number, nIn: number): Float64Array {
  const out = new Float64Array(nIn);
  for (let o = 0; o < nOut; o++) {
    const so = s[o]!;
    if (so === 0) continue;
    for (let i = 0; i < nIn; i++) out[i]! += A[o * nIn + i]! * so;
  }
  return out;
}

/** Element-wise map. */
export function map(a: ArrayLike<number>, f: (v: number, i: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!, i);
  return out;
}

export const pos = (a: ArrayLike<number>) => map(a, (v) => Math.max(v, 0));
export const neg = (a: ArrayLike<number>) => map(a, (v) => Math.min(v, 0));
export const add = (a: ArrayLike<number>, b: ArrayLike<number>) => map(a, (v, i) => v + b[i]!);
export const sub = (a: ArrayLike<number>, b: ArrayLike<number>) => map(a, (v, i) => v - b[i]!);
export const mul = (a: ArrayLike<number>, b: ArrayLike<number>) => map(a, (v, i) => v * b[i]!);
/** Zennit's stabilizer `t + ε·sign₀(t)`. */
export const stab = (a: ArrayLike<number>, eps = 1e-6) => map(a, (v) => (v >= 0 ? v + eps : v - eps));
/** `R ⊘ stab(z)`. */
export const ratio = (R: ArrayLike<number>, z: ArrayLike<number>, eps = 1e-6) => {
  const d = stab(z, eps);
  return map(R, (v, i) => v / d[i]!);
};
