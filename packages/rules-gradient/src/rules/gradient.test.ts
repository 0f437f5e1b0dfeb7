import { describe, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references, type ReferenceContext, type ScenarioName } from '@nrm/testkit';
import { gradient } from './gradient.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });
const linear: ScenarioName[] = ['dense', 'conv2d-same', 'conv2d-valid-stride2', 'conv2d-dilated', 'conv2d-transpose', 'depthwise-conv2d', 'batch-norm', 'add', 'avg-pool', 'global-avg-pool'];

describe('gradient', () => {
  it('is Aᵀ R on every linear node', async () => {
    await tester.run(gradient, linear.map((scenario) => ({ scenario, reference: references.linearGradient })));
  });
  it('masks by [z > 0] through a ReLU', async () => {
    const relu = (ctx: ReferenceContext<object>) => Float64Array.from(ctx.R, (r, i) => (ctx.x[i]! > 0 ? r : 0));
    await tester.run(gradient, [{ scenario: 'relu', reference: relu }]);
  });
});
