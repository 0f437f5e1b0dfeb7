import { describe, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, type ReferenceContext } from '@nrm/testkit';
import { winnerTakeAll } from './winner-take-all.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });

/** Brute force: every window sends its relevance to its first maximum (valid padding). */
function windowsReference(size: number, stride: number) {
  return (ctx: ReferenceContext<object>) => {
    const [h, w, c] = ctx.inputShapes[0] as [number, number, number];
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
    void h;
    return out;
  };
}

describe('winnerTakeAll', () => {
  it('routes overlapping 3x3/2 windows to their maxima and sums where an element wins several', async () => {
    await tester.run(winnerTakeAll, [{ scenario: 'max-pool-overlapping', reference: windowsReference(3, 2) }]);
  });
  it('routes a global max pool to each channel’s maximum', async () => {
    const globalReference = (ctx: ReferenceContext<object>) => {
      const c = ctx.nOut;
      const out = new Float64Array(ctx.nIn);
      for (let ch = 0; ch < c; ch++) {
        let at = ch;
        for (let i = ch; i < ctx.nIn; i += c) if (ctx.x[i]! > ctx.x[at]!) at = i;
        out[at] = ctx.R[ch]!;
      }
      return out;
    };
    await tester.run(winnerTakeAll, [{ scenario: 'global-max-pool', reference: globalReference }]);
  });
});
