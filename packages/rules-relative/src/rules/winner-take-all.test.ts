import { describe, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, type ReferenceContext } from '@nrm/testkit';
import { relativeWinnerTakeAll } from './winner-take-all.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });

/** Brute force: every window sends its relevance to its first maximum (valid padding). */
function windows(size: number, stride: number) {
  return (ctx: ReferenceContext<object>) => {
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

/** Global max pool: each channel's relevance to its first maximum. */
function globalWindows(ctx: ReferenceContext<object>): Float64Array {
  const out = new Float64Array(ctx.nIn);
  for (let ch = 0; ch < ctx.nOut; ch++) {
    let at = ch;
    for (let i = ch; i < ctx.nIn; i += ctx.nOut) if (ctx.x[i]! > ctx.x[at]!) at = i;
    out[at] = ctx.R[ch]!;
  }
  return out;
}

describe('relative/winner-take-all', () => {
  it('routes overlapping 3x3/2 windows and a global max pool to their maxima', async () => {
    await tester.run(relativeWinnerTakeAll, [
      { scenario: 'max-pool-overlapping', reference: windows(3, 2) },
      { scenario: 'global-max-pool', reference: globalWindows },
    ]);
  });
});
