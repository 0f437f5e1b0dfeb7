import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references, type ScenarioName } from '@nrm/testkit';
import { epsilon } from './epsilon.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
const linear: ScenarioName[] = ['dense', 'conv2d-same', 'conv2d-valid-stride2', 'conv2d-dilated', 'conv2d-transpose', 'depthwise-conv2d', 'batch-norm'];

describe('epsilon', () => {
  it('matches the matrix-form reference on every linear node, conserves on bias-free nodes, on cpu and wasm', async () => {
    const results = await tester.run(epsilon, linear.map((scenario) => ({ scenario, reference: references.epsilon })));
    expect(results.length).toBe(linear.length * 2);
  });

  it('with a large ε absorbs relevance (not conservative) and still matches the reference', async () => {
    await tester.run(epsilon, linear.map((scenario) => ({ scenario, options: { epsilon: 0.25 }, conservative: false, reference: references.epsilon })));
  });
  it('applies to parameter-free sums as well', async () => {
    await tester.run(epsilon, (['add', 'avg-pool', 'global-avg-pool'] as const).map((scenario) => ({ scenario, reference: references.epsilon })));
  });
  it('rejects a negative or non-finite ε', async () => {
    await expect(tester.run(epsilon, [{ scenario: 'dense', options: { epsilon: -1 }, reference: references.epsilon }])).rejects.toThrow(/epsilon/);
  });
});
