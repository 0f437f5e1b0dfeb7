import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { RuleTester, references } from '@nrm/testkit';
import { relativePass } from './pass.js';

const tester = new RuleTester({ backends: [cpuBackend, wasmBackend] });

describe('relative/pass', () => {
  it('passes relevance through a ReLU unchanged', async () => {
    await tester.run(relativePass, [{ scenario: 'relu', reference: references.identity }]);
  });
  it('cannot be bound to a node that mixes values', async () => {
    await expect(tester.run(relativePass, [{ scenario: 'dense', reference: references.identity }])).rejects.toThrow(/applies only to/);
  });
});
