/**
 * The backend conformance suite of @nrm/testkit on WebGPU in Node: Dawn with whatever adapter
 * it finds (on a machine without a GPU, Mesa's software OpenGL, llvmpipe); plus the buffer-limit
 * guard on data moved from another backend and on an explainer's parameter upload. Skipped with a
 * printed notice only where there is no adapter at all (no Mesa, no GPU driver); CI installs Mesa
 * (libegl1 libegl-mesa0 libgl1-mesa-dri) so that it runs there.
 *
 * Each check runs in its own Node process with one Dawn instance (test/webgpu-checks.mjs): Dawn
 * has crashed here while devices were destroyed and re-created, and while a process tore down,
 * which would take a test worker down. The results are read from the JSON line each prints.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'webgpu-checks.mjs');

interface Results {
  done: boolean;
  supported: boolean;
  reason?: string;
  conformance?: { backend: string; checks: number; failed: string[]; adapter?: string; seconds: number };
  moved?: { threw: string | null; leaked: number; survived: boolean };
  explainer?: { threw: string | null; shape?: number[]; message?: string; leakedTensors: number; leakedBuffers: number };
}

function run(part: 'conformance' | 'moved' | 'explainer'): { results?: Results; failure: string } {
  const child = spawnSync(process.execPath, [script, part], { encoding: 'utf8', timeout: 240_000 });
  const line = child.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  const results = line ? (JSON.parse(line) as Results) : undefined;
  if (results?.done && child.status !== 0) {
    console.warn(`[webgpu-conformance] ${part}: the process ended with ${child.signal ?? `exit ${child.status}`} after printing its results (Dawn's teardown)`);
  }
  return { results, failure: `no results from ${script} ${part}: status ${child.status} ${child.signal ?? ''}\n${child.stderr.slice(-2000)}` };
}

const first = run('conformance');
const supported = first.results?.supported === true;
if (first.results && !supported) console.warn(`[webgpu-conformance] skipped, no WebGPU adapter here: ${first.results.reason}`);

describe('WebGPU in Node (Dawn)', () => {
  it('looked for an adapter and ran to the end', () => {
    expect(first.results?.done, first.failure).toBe(true);
  });

  describe.skipIf(!supported)('on the adapter', () => {
    it('passes every check of the conformance suite', () => {
      const c = first.results!.conformance!;
      console.info(`[webgpu-conformance] ${c.checks} checks on ${c.adapter} in ${c.seconds.toFixed(1)} s`);
      expect(c.backend).toBe('webgpu');
      expect(c.checks).toBeGreaterThan(30);
      expect(c.failed).toEqual([]);
    });

    it('checks data moved from another backend before it gets a GPU buffer', () => {
      const { results, failure } = run('moved');
      expect(results?.done, failure).toBe(true);
      expect(results!.moved).toEqual({ threw: 'BackendLimitError', leaked: 0, survived: true });
    });

    it('refuses a model whose parameter exceeds the limit while the explainer uploads it, leaking nothing', () => {
      const { results, failure } = run('explainer');
      expect(results?.done, failure).toBe(true);
      const e = results!.explainer!;
      expect(e.threw).toBe('BackendLimitError');
      expect(e.shape).toEqual([256, 32]);
      expect(e.message).toContain('a float32 tensor of shape [256, 32] needs 32768 bytes');
      expect(e.leakedTensors).toBe(0);
      expect(e.leakedBuffers).toBe(0);
    });
  });
});
