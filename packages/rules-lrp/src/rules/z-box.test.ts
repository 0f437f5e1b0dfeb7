import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references, type ScenarioName } from '@nrm/testkit';
import { zBox } from './z-box.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
const linear: ScenarioName[] = ['dense', 'conv2d-same', 'conv2d-valid-stride2', 'conv2d-dilated', 'conv2d-transpose', 'depthwise-conv2d', 'batch-norm'];

describe('zBox', () => {
  it('matches the matrix-form reference on every linear node, conserves on bias-free nodes, on cpu and wasm', async () => {
    const results = await tester.run(zBox, linear.map((scenario) => ({ scenario, options: { low: -1, high: 1 }, reference: references.zBox })));
    expect(results.length).toBe(linear.length * 2);
    await tester.run(zBox, [{ scenario: 'conv2d-same', options: { low: 0, high: 1 }, inputNonNegative: true, reference: references.zBox }]);
  });
  it('needs finite bounds low ≤ high', async () => {
    await expect(tester.run(zBox, [{ scenario: 'dense', reference: references.zBox }])).rejects.toThrow(/--low -1 --high 1/);
    await expect(tester.run(zBox, [{ scenario: 'dense', options: { low: 1, high: -1 }, reference: references.zBox }])).rejects.toThrow(/low ≤ high/);
  });
});
