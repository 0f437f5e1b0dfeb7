/**
 * The backend conformance suite of @nrm/testkit on every backend supported here (cpu and wasm):
 * adjoints of every transposed op, max-pool routing, every golden Zennit fixture array, and no
 * tensor leaks. It lives in the cli package, which depends on every plugin it needs (a backend
 * package cannot dev-depend on the testkit: the testkit depends on the backends).
 */
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import { wasmBackend } from '@nrm/backend-wasm';
import { gradientMethods } from '@nrm/rules-gradient';
import { lrp } from '@nrm/rules-lrp';
import { runConformanceSuite } from '@nrm/testkit';

for (const backend of [cpuBackend, wasmBackend]) {
  describe(`conformance on ${backend.id}`, () => {
    it('passes every check of the conformance suite', async () => {
      const report = await runConformanceSuite(backend, { plugins: [lrp, gradientMethods] });
      expect(report.backend).toBe(backend.id);
      expect(report.checks.length).toBeGreaterThan(30);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    });
  });
}
