import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { BranchPropagation, DeviceParams, InputModifier } from '../contracts.js';
import type { IRNode } from '../ir.js';
import { OPS } from '../ops/registry-of-ops.js';
import { stabilize } from '../stabilize.js';

/** What the branch executor needs from the engine for one node. */
export interface BranchNodeState {
  readonly node: IRNode;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly inputsNonNegative: readonly boolean[];
  /** Parameters of branch `i` (cached by the engine). */
  branchParams(i: number): DeviceParams | undefined;
  /**
   * When the rows of this walk are copies of one sample (an expanding condition), computes a
   * branch's modified forward once on that sample's own inputs and returns it repeated for the
   * rows; `compute` maps inputs to the branch's forward.
   */
  sharedForward?(branch: number, compute: (inputs: readonly Tensor[]) => Tensor): Tensor;
}

/** `null` stands for an input that is exactly zero (x⁻ of a non-negative input). */
function modifyInput(mod: InputModifier | undefined, x: Tensor, nonNegative: boolean): Tensor | null {
  if (mod === undefined || mod === 'identity') return x;
  if (mod === 'positive') return nonNegative ? x : tf.relu(x);
  if (mod === 'negative') return nonNegative ? null : tf.minimum(x, 0);
  if (mod === 'ones') return tf.onesLike(x);
  if (typeof mod === 'function') return mod(x);
  return tf.fill(x.shape, mod.fill);
}

/**
 * Runs a rule in branch form on one node:
 * `z_i = f(input_i(x); param_i)`, `seeds = mapSeed(R, z)`, `R_in = Σ_i c_i · input_i(x) ⊙ param_iᵀ seed_i`.
 * Branches whose input is exactly zero skip both their forward (only the bias is left) and their
 * transposed map; an unmodified branch reuses the stored forward output.
 */
export function runBranches(prop: BranchPropagation, relevance: Tensor, state: BranchNodeState): Tensor[] {
  const op = OPS[state.node.op];
  const transpose = op.transpose;
  if (!transpose) throw new Error(`internal: op '${state.node.op}' has no transposed map for a branch rule`);
  const inputShapes = state.inputs.map((x) => x.shape);
  const xs: (Tensor | null)[][] = [];
  const zs: Tensor[] = [];
  // Branch outputs computed here (not the stored output, not a shared forward): freed as soon as
  // the seeds exist, so that a node's peak memory is not every intermediate at once.
  const ownZs = new Set<Tensor>();
  // Modified inputs, once per input modifier: branches with the same modifier share the tensor
  // (and so their transposed maps are summed before one multiplication by it, below).
  const byModifier = new Map<InputModifier | undefined, (Tensor | null)[]>();
  const modifiedInputs = (mod: InputModifier | undefined): (Tensor | null)[] => {
    let modified = byModifier.get(mod);
    if (!modified) byModifier.set(mod, (modified = state.inputs.map((x, k) => modifyInput(mod, x, state.inputsNonNegative[k] ?? false))));
    return modified;
  };
  prop.branches.forEach((branch, i) => {
    const params = state.branchParams(i);
    const modified = modifiedInputs(branch.input);
    xs.push(modified);
    const unmodified = (branch.input === undefined || branch.input === 'identity') && branch.param === undefined;
    if (unmodified || branch.forward === false) {
      zs.push(state.output);
    } else if (modified.every((x) => x === null)) {
      const z = params?.bias ? tf.broadcastTo(params.bias, state.output.shape) : tf.zerosLike(state.output);
      ownZs.add(z);
      zs.push(z);
    } else {
      const compute = (inputs: readonly Tensor[]) =>
        op.forward(
          state.node,
          inputs.map((x, k) => modifyInput(branch.input, x, state.inputsNonNegative[k] ?? false) ?? tf.zerosLike(x)),
          params,
        );
      if (state.sharedForward) {
        zs.push(state.sharedForward(i, compute));
      } else {
        const z = compute(state.inputs);
        ownZs.add(z);
        zs.push(z);
      }
    }
  });
  const seeds: Tensor[] = tf.tidy(() => [...prop.mapSeed(relevance, zs, { z: state.output, stabilize })]);
  for (const z of ownZs) if (!seeds.includes(z)) z.dispose();
  if (seeds.length !== prop.branches.length) {
    throw new Error(`rule returned ${seeds.length} seeds for ${prop.branches.length} branches on node '${state.node.id}'`);
  }
  // Tensors a seed may be, that belong to someone else: never disposed here.
  const keep = new Set<Tensor>([relevance, state.output, ...state.inputs, ...zs.filter((z) => !ownZs.has(z))]);
  /** Disposes an intermediate of this function (never a tensor that belongs to someone else). */
  const release = (t: Tensor) => {
    if (!keep.has(t) && !seeds.includes(t)) t.dispose();
  };
  // Per input: Σ_i c_i·g_i grouped by the modified input it multiplies (branches whose modified
  // input is the same tensor, e.g. `x` and `x⁺` of a non-negative x, share one multiplication).
  const groups: Map<Tensor | 'ones', Tensor>[] = state.inputs.map(() => new Map());
  prop.branches.forEach((branch, i) => {
    const branchInputs = xs[i]!;
    if (branchInputs.every((x) => x === null)) return;
    const seed = seeds[i]!;
    const g = transpose(state.node, seed, state.branchParams(i), inputShapes);
    // The seed is freed before the terms are combined (one full-size tensor less at the peak)
    // unless a later branch, a group or this transposed map itself still holds it.
    const held = g.includes(seed) || groups.some((byInput) => [...byInput.values()].includes(seed));
    if (!held && !seeds.slice(i + 1).includes(seed) && !keep.has(seed)) seed.dispose();
    const c = branch.coefficient ?? 1;
    branchInputs.forEach((x, k) => {
      if (x === null) return;
      const key = branch.input === 'ones' ? 'ones' : x;
      const previous = groups[k]!.get(key);
      if (previous && c === -1) {
        // A subtracted branch (e.g. γ's −s_n seed): one `sub` instead of a `mul` and an `add`.
        groups[k]!.set(key, tf.sub(previous, g[k]!));
        release(previous);
        release(g[k]!);
        return;
      }
      const term = c !== 1 ? tf.mul(g[k]!, c) : g[k]!;
      if (term !== g[k]) release(g[k]!);
      if (previous) {
        groups[k]!.set(key, tf.add(previous, term));
        release(previous);
        release(term);
      } else {
        groups[k]!.set(key, term);
      }
    });
  });
  return groups.map((byInput, k) => {
    let total: Tensor | undefined;
    for (const [x, g] of byInput) {
      const term = x === 'ones' ? g : tf.mul(x, g);
      if (term !== g) release(g);
      if (total) {
        const sum = tf.add(total, term);
        release(total);
        release(term);
        total = sum;
      } else {
        total = term;
      }
    }
    return total ?? tf.zerosLike(state.inputs[k]!);
  });
}
