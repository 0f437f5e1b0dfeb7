/**
 * Top-k channel walks over the flow matrices of consecutive layers, by a max-product dynamic
 * programme that is exact for signed factors. Pure host code.
 */
import { InvalidArgumentError } from '@nrm/core';

/** What the walk search reads: flows and marginals of layers `0 … L−1`, bottom (input side) to top. */
export interface WalkSearchInput {
  /** `flows[j][a][b] = J_j[a][b] = μ(a @ layer j, b @ layer j+1)`, for `j = 0 … L−2`. */
  readonly flows: readonly (readonly (readonly number[])[])[];
  /** `marginals[j][c] = μ(c @ layer j)`. */
  readonly marginals: readonly (readonly number[])[];
  /**
   * `zero[j][c]`: `μ(c @ layer j)` is ≈ 0, so conditionals given it are undefined (default: exactly
   * 0 or NaN).
   */
  readonly zero?: readonly (readonly boolean[])[];
}

/** A channel walk (one channel per layer, bottom to top) and its score. */
export interface WalkScore {
  /** One channel per layer, bottom to top. */
  readonly channels: readonly number[];
  /** {@link walkScore} of the walk. */
  readonly score: number;
}

function check(input: WalkSearchInput): number {
  const layers = input.marginals.length;
  if (layers === 0) throw new InvalidArgumentError('A walk search needs at least one layer.');
  if (input.flows.length !== layers - 1) {
    throw new InvalidArgumentError(`A walk search over ${layers} layers needs ${layers - 1} flow matrices, got ${input.flows.length}.`);
  }
  input.flows.forEach((J, j) => {
    const rows = input.marginals[j]!.length;
    const cols = input.marginals[j + 1]!.length;
    if (J.length !== rows || J.some((row) => row.length !== cols)) {
      throw new InvalidArgumentError(`Flow matrix ${j} must be ${rows} × ${cols} (channels of layers ${j} and ${j + 1}).`);
    }
  });
  return layers;
}

function isZero(input: WalkSearchInput, layer: number, c: number): boolean {
  const m = input.marginals[layer]![c]!;
  return input.zero ? input.zero[layer]![c]! || Number.isNaN(m) : m === 0 || Number.isNaN(m);
}

/**
 * The Markov score of a walk `(c_1 @ l_1, …, c_L @ l_L)`:
 * `μ(c_L) · Π_{j<L} μ(c_j | c_{j+1})` with `μ(a | b) = J[a][b] / μ(b)`, evaluated top-down
 * (`p = μ(c_L)`, then `p = p · (J_j[c_j][c_{j+1}] / μ(c_{j+1}))` for `j = L−1 … 1`). NaN when a
 * conditional is undefined (a channel above the lowest layer with `μ ≈ 0`).
 */
export function walkScore(input: WalkSearchInput, channels: readonly number[]): number {
  const layers = check(input);
  if (channels.length !== layers) throw new InvalidArgumentError(`A walk over ${layers} layers needs ${layers} channels, got ${channels.length}.`);
  const top = layers - 1;
  if (isZero(input, top, channels[top]!)) return Number.NaN;
  let p = input.marginals[top]![channels[top]!]!;
  for (let j = top - 1; j >= 0; j--) {
    const b = channels[j + 1]!;
    if (isZero(input, j + 1, b)) return Number.NaN;
    p = p * (input.flows[j]![channels[j]!]![b]! / input.marginals[j + 1]![b]!);
  }
  return p;
}

/** A partial walk from some layer up to the top, as a linked list (shared tails). */
interface Partial {
  readonly value: number;
  readonly channel: number;
  readonly up: Partial | null;
}

interface Extremes {
  readonly top: readonly Partial[];
  readonly bottom: readonly Partial[];
}

function extremes(candidates: Partial[], k: number): Extremes {
  candidates.sort((a, b) => descending(a.value, b.value));
  const top = candidates.slice(0, k);
  const bottom = candidates.length <= k ? top : candidates.slice(candidates.length - k);
  return { top, bottom };
}

function pathOf(p: Partial): number[] {
  const path: number[] = [];
  for (let q: Partial | null = p; q; q = q.up) path.push(q.channel);
  return path;
}

/**
 * The `k` walks with the highest {@link walkScore} (walks with an undefined score are skipped),
 * highest first; ties in score are ordered by channel path (lexicographic, bottom to top).
 *
 * Exact for signed factors: for every channel of every layer the programme keeps the `k` largest
 * and the `k` smallest partial products of the walks from the top down to it. A factor `f ≥ 0`
 * maps the `k` largest to the `k` largest (and smallest to smallest), a factor `f < 0` swaps them,
 * so the extremes of the next layer are among `f ·` (extremes of this one). Cost
 * `O(Σ_j C_j · C_{j+1} · k log(C_{j+1} k))`.
 */
export function topWalks(input: WalkSearchInput, k: number): WalkScore[] {
  const layers = check(input);
  if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`topWalks needs an integer k ≥ 0, got ${k}.`);
  if (k === 0) return [];
  const top = layers - 1;
  let current: Extremes[] = input.marginals[top]!.map((m, c) => {
    if (isZero(input, top, c)) return { top: [], bottom: [] };
    const p: Partial = { value: m, channel: c, up: null };
    return { top: [p], bottom: [p] };
  });
  for (let j = top - 1; j >= 0; j--) {
    const J = input.flows[j]!;
    const marginals = input.marginals[j + 1]!;
    current = input.marginals[j]!.map((_, a) => {
      const candidates: Partial[] = [];
      current.forEach((ext, b) => {
        if (ext.top.length === 0 || isZero(input, j + 1, b)) return;
        const f = J[a]![b]! / marginals[b]!;
        const seen = new Set<Partial>();
        for (const p of [...ext.top, ...ext.bottom]) {
          if (seen.has(p)) continue;
          seen.add(p);
          const value = p.value * f;
          if (!Number.isNaN(value)) candidates.push({ value, channel: a, up: p });
        }
      });
      return extremes(candidates, k);
    });
  }
  const all = current.flatMap((e) => e.top).map((p) => ({ channels: pathOf(p), score: p.value }));
  all.sort((a, b) => descending(a.score, b.score) || compareChannels(a.channels, b.channels));
  return all.slice(0, k);
}

/** Order for sorting highest first (safe with ±Infinity). */
function descending(a: number, b: number): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function compareChannels(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
