/**
 * Fixes for tfjs-backend-webgpu 4.22 kernels that compute garbage. Found by comparing every op
 * the engine uses with the cpu backend at ranks 4–6: `PadV2` at rank 5 and 6 generates WGSL that
 * does not compile ("cannot index type 'vec5'"), and the driver then leaves the output unwritten.
 * NRM's engine pads rank-6 tensors to insert zeros between pixels (strided transposed
 * convolutions, average-pool backward), so this one matters.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

const FIXED = '__nrmFixed';

/** What a kernel function may do with the backend it is given. */
interface KernelBackendLike {
  disposeData(dataId: object): boolean;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * `PadV2` above rank 4 as one rank-3 pad per padded axis: `[before, axis, after]` → pad the
 * middle axis with tfjs's own (correct) rank-3 kernel → reshape back. Reshapes share the data.
 */
function padByAxes(original: KernelFunc, reshape: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs['x'] as TensorInfo;
    if (x.shape.length <= 4) return original(args);
    const attrs = args.attrs as unknown as { paddings: readonly (readonly [number, number])[]; constantValue: number };
    const backend = args.backend as KernelBackendLike;
    const run = (f: KernelFunc, input: TensorInfo, a: object) =>
      f({ inputs: { x: input }, backend: args.backend, attrs: a as NamedAttrMap }) as TensorInfo;
    let current = x;
    let shape = [...x.shape];
    attrs.paddings.forEach(([before, after], axis) => {
      if (before === 0 && after === 0) return;
      const flat = run(reshape, current, { shape: [product(shape.slice(0, axis)), shape[axis]!, product(shape.slice(axis + 1))] });
      const padded = run(original, flat, { paddings: [[0, 0], [before, after], [0, 0]], constantValue: attrs.constantValue });
      backend.disposeData(flat.dataId);
      shape = shape.map((d, i) => (i === axis ? d + before + after : d));
      const next = run(reshape, padded, { shape });
      backend.disposeData(padded.dataId);
      if (current !== x) backend.disposeData(current.dataId);
      current = next;
    });
    // No padding at all: tfjs's kernel returns the identity.
    return current === x ? original(args) : current;
  };
}

/**
 * Replaces tfjs's WebGPU kernels that miscompute (see the module comment) with versions built
 * from its correct ones. Global to tfjs's kernel registry; idempotent; call after
 * `@tensorflow/tfjs-backend-webgpu` is imported.
 */
export function installKernelFixes(): void {
  const pad = tf.getKernel('PadV2', 'webgpu');
  const reshape = tf.getKernel('Reshape', 'webgpu');
  if (!pad || !reshape || FIXED in pad) return;
  const fixed: KernelConfig & { [FIXED]: true } = {
    kernelName: 'PadV2',
    backendName: 'webgpu',
    kernelFunc: padByAxes(pad.kernelFunc, reshape.kernelFunc),
    [FIXED]: true,
  };
  tf.unregisterKernel('PadV2', 'webgpu');
  tf.registerKernel(fixed);
}
