import type { Padding } from '../ir.js';

/** Effective extent of a dilated kernel: `(k − 1)·d + 1`. */
export function effectiveKernel(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/** Output length and the padding TensorFlow applies before/after, for one spatial axis. */
export function windowGeometry(
  inSize: number,
  kernel: number,
  stride: number,
  padding: Padding,
): { out: number; before: number; after: number } {
  if (padding === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + kernel - inSize, 0);
    const before = Math.floor(total / 2);
    return { out, before, after: total - before };
  }
  return { out: Math.floor((inSize - kernel) / stride) + 1, before: 0, after: 0 };
}
