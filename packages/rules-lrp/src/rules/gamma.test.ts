import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references, type ScenarioName } from '@nrm/testkit';
import { gamma } from './gamma.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
const linear: ScenarioName[] = ['dense', 'conv2d-same', 'conv2d-valid-stride2', 'conv2d-dilated', 'conv2d-transpose', 'depthwise-conv2d', 'batch-norm'];

describe('gamma', () => {
  it('matches the matrix-form reference on every linear node, conserves on bias-free nodes, on cpu and wasm', async () => {
    const results = await tester.run(gamma, linear.map((scenario) => ({ scenario, reference: references.gamma })));
    expect(results.length).toBe(linear.length * 2);
  });

  it('handles non-negative inputs and other γ', async () => {
    await tester.run(gamma, linear.map((scenario) => ({ scenario, inputNonNegative: true, reference: references.gamma })));
    await tester.run(gamma, [{ scenario: 'conv2d-same', options: { gamma: 1 }, reference: references.gamma }]);
    await tester.run(gamma, [{ scenario: 'dense', options: { gamma: 0 }, reference: references.gamma }]);
  });
});
