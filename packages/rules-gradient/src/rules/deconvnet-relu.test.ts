import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, type ReferenceContext } from '@nrm/testkit';
import { deconvnetRelu } from './deconvnet-relu.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
/** relu(R), whatever the forward input x was. */
const deconvnet = (ctx: ReferenceContext<object>) => Float64Array.from(ctx.R, (r) => Math.max(r, 0));
/** The gradient's R ⊙ [x > 0]: what the rule must NOT compute. */
const gradient = (ctx: ReferenceContext<object>) => Float64Array.from(ctx.R, (r, i) => (ctx.x[i]! > 0 ? r : 0));

describe('gradient/deconvnet-relu', () => {
  it('rectifies the backward signal and ignores the forward mask', async () => {
    await tester.run(deconvnetRelu, [
      { scenario: 'relu', reference: deconvnet },
      { scenario: 'relu', reference: deconvnet, seed: 99 },
    ]);
  });
  it('is told apart from the gradient by the scenario (the tester rejects a wrong reference)', async () => {
    await expect(tester.run(deconvnetRelu, [{ scenario: 'relu', reference: gradient }])).rejects.toThrow(/differs from the matrix-form reference/);
  });
});
