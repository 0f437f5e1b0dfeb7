/**
 * Backend fallback with the real backend packages: tfjs-node is an optional peer that is not
 * installed here (its installer downloads libtensorflow), so `selectBackend` moves on to wasm with
 * one notice line; with nothing to fall back to, the error names every reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { wasm } from '@nrm/backend-wasm';
import { BackendUnavailableError, createRegistry } from '@nrm/core';
// The cli package does not depend on these packages yet: import their sources.
import { createNodeBackend } from '@nrm/backend-node';
import { createWebGpuBackend } from '@nrm/backend-webgpu';

const missing = (name: string) => () => Promise.reject(Object.assign(new Error(`Cannot find package '${name}' imported from /app/main.js`), { code: 'ERR_MODULE_NOT_FOUND' }));

describe('backend fallback', () => {
  it("falls back from ['tensorflow', 'wasm'] to wasm with exactly one notice line", async () => {
    // The real loader, unless tfjs-node happens to be installed here; then a loader that fails the same way.
    const installed = await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/')).then(
      () => true,
      () => false,
    );
    const node = createNodeBackend(installed ? { load: missing('@tensorflow/tfjs-node') } : {});
    const registry = createRegistry([{ specificationVersion: 'v1', name: '@nrm/backend-node', backends: [node] }, wasm]);
    const notices: string[] = [];
    const backend = await registry.selectBackend(['tensorflow', 'wasm'], { notice: (line) => notices.push(line) });
    expect(backend.id).toBe('wasm');
    expect(notices).toEqual([
      "backend 'tensorflow' skipped (package '@tensorflow/tfjs-node' is not installed (an optional peer dependency): npm install @tensorflow/tfjs-node@4.22.0 " +
        "(its installer downloads libtensorflow from storage.googleapis.com, which fails offline or behind a proxy); or use the wasm backend); using 'wasm'",
    ]);
    await backend.setup();
    expect(tf.getBackend()).toBe('wasm');
  });

  it('raises BackendUnavailableError naming each reason when no preferred backend is supported', async () => {
    const registry = createRegistry([
      { specificationVersion: 'v1', name: '@nrm/backend-node', backends: [createNodeBackend({ load: missing('@tensorflow/tfjs-node') })] },
      { specificationVersion: 'v1', name: '@nrm/backend-webgpu', backends: [createWebGpuBackend({ loadDawn: missing('webgpu') })] },
    ]);
    const notices: string[] = [];
    const error = await registry.selectBackend(['tensorflow', 'webgpu'], { notice: (line) => notices.push(line) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const e = error as BackendUnavailableError;
    expect(e.tried.map((t) => t.backend)).toEqual(['tensorflow', 'webgpu']);
    expect(e.message).toMatch(/^None of the backends 'tensorflow', 'webgpu' is available here: 'tensorflow': package '@tensorflow\/tfjs-node' is not installed.*; 'webgpu': WebGPU in Node needs the optional peer dependency 'webgpu' \(Dawn\).*npm install webgpu/);
    expect(notices).toEqual([]);
  });
});

describe('--backend through the CLI', () => {
  it('takes a list of preferences, reports the skipped backend in one line, and explains on the next one', async () => {
    const { loadFixtureCase } = await import('@nrm/testkit');
    const { readNpy } = await import('@nrm/core');
    const { runCli } = await import('./main.js');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const mlp = loadFixtureCase('mlp');
    const dir = mkdtempSync(join(tmpdir(), 'nrm-backend-'));
    try {
      const run = async (backend: string, out: string) => {
        const err: string[] = [];
        const code = await runCli(
          ['explain', '--model', mlp.modelPath, '--input', mlp.inputPath, '--composite', 'epsilon', '--target', 'logits:3', '--backend', backend, '--out', join(dir, out)],
          { stdout: () => undefined, stderr: (l) => err.push(l) },
        );
        return { code, err };
      };
      const viaList = await run('tensorflow,wasm', 'list.npy');
      expect(viaList.code, viaList.err.join('\n')).toBe(0);
      expect(viaList.err).toHaveLength(1);
      expect(viaList.err[0]).toMatch(/^nrm: backend 'tensorflow' skipped \(.*\); using 'wasm'$/);
      expect(tf.getBackend()).toBe('wasm');
      const direct = await run('cpu', 'cpu.npy');
      expect(direct.code).toBe(0);
      expect(direct.err).toEqual([]);
      const a = readNpy(readFileSync(join(dir, 'list.npy')));
      const b = readNpy(readFileSync(join(dir, 'cpu.npy')));
      let num = 0;
      let den = 0;
      for (let i = 0; i < b.data.length; i++) {
        num = Math.max(num, Math.abs(Number(a.data[i]) - Number(b.data[i])));
        den = Math.max(den, Math.abs(Number(b.data[i])));
      }
      expect(num / den).toBeLessThan(1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
