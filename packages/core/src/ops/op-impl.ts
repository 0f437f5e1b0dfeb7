import type { Tensor } from '@tensorflow/tfjs-core';
import type { DeviceParams } from '../contracts.js';
import type { IRNode } from '../ir.js';

/** What the engine knows how to do with one op kind. */
export interface OpImpl {
  /** The forward. */
  forward(node: IRNode, inputs: readonly Tensor[], params: DeviceParams | undefined): Tensor;
  /**
   * The transposed linear map `Wᵀ s`, one tensor per input; only for linear ops (with or without
   * parameters). `inputShapes` include the batch axis.
   */
  transpose?(node: IRNode, s: Tensor, params: DeviceParams | undefined, inputShapes: readonly (readonly number[])[]): Tensor[];
  /**
   * Optional: computes and caches (on the kernel enrolled with `derived`) everything `transpose`
   * reads from `params.kernel`, and returns `true` when `transpose` will from then on read only the
   * kernel's shape — so that the engine may free a modified kernel that only a transposed map uses
   * (a branch with `forward: false`). Returning `false` (or leaving this out) keeps the kernel.
   */
  prepareTranspose?(node: IRNode, params: DeviceParams): boolean;
  /** Vector-Jacobian product at the stored forward point. */
  vjp(node: IRNode, s: Tensor, inputs: readonly Tensor[], output: Tensor, params: DeviceParams | undefined): Tensor[];
}
