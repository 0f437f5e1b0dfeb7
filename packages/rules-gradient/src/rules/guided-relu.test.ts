import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, type ReferenceContext } from '@nrm/testkit';
import { guidedRelu } from './guided-relu.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
/** relu(R) ⊙ [x > 0]. */
const guided = (ctx: ReferenceContext<object>) => Float64Array.from(ctx.R, (r, i) => (ctx.x[i]! > 0 ? Math.max(r, 0) : 0));
const gradient = (ctx: ReferenceContext<object>) => Float64Array.from(ctx.R, (r, i) => (ctx.x[i]! > 0 ? r : 0));
const deconvnet = (ctx: ReferenceContext<object>) => Float64Array.from(ctx.R, (r) => Math.max(r, 0));

describe('gradient/guided-relu', () => {
  it('rectifies the backward signal and applies the forward mask [x > 0]', async () => {
    await tester.run(guidedRelu, [
      { scenario: 'relu', reference: guided },
      { scenario: 'relu', reference: guided, seed: 99 },
    ]);
  });
  it('differs from both the gradient and the deconvnet on the scenario (the tester rejects them)', async () => {
    await expect(tester.run(guidedRelu, [{ scenario: 'relu', reference: gradient }])).rejects.toThrow(/differs from the matrix-form reference/);
    await expect(tester.run(guidedRelu, [{ scenario: 'relu', reference: deconvnet }])).rejects.toThrow(/differs from the matrix-form reference/);
  });
});
