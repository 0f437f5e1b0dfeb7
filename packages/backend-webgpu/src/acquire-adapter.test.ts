import { describe, expect, it } from 'vitest';
import { acquireAdapter } from './acquire-adapter.js';

/** A fake `GPU` whose adapters exist only at the given feature levels. */
function fakeGpu(levels: string[], seen: unknown[] = []): GPU {
  return {
    requestAdapter(options?: GPURequestAdapterOptions & { featureLevel?: string }) {
      seen.push(options);
      const level = options?.featureLevel ?? 'core';
      return Promise.resolve(levels.includes(level) ? ({ level } as unknown as GPUAdapter) : null);
    },
  } as GPU;
}

describe('acquireAdapter', () => {
  it('asks for a core adapter, then a compatibility one', async () => {
    const seen: unknown[] = [];
    const p = await acquireAdapter({ gpu: fakeGpu(['compatibility'], seen), powerPreference: 'high-performance' });
    expect(p.ok && p.acquired.featureLevel).toBe('compatibility');
    expect(seen).toEqual([{ powerPreference: 'high-performance' }, { powerPreference: 'high-performance', featureLevel: 'compatibility' }]);
    const core = await acquireAdapter({ gpu: fakeGpu(['core', 'compatibility']) });
    expect(core.ok && core.acquired.featureLevel).toBe('core');
  });

  it('explains a GPU without adapters', async () => {
    const p = await acquireAdapter({ gpu: fakeGpu([]) });
    expect(p.ok).toBe(false);
    expect(!p.ok && p.reason).toMatch(/requestAdapter\(\) found no adapter.*--enable-unsafe-webgpu.*wasm backend/);
  });

  it('in Node, names the missing webgpu package and how to install it (never throws)', async () => {
    const missing = Object.assign(new Error("Cannot find package 'webgpu' imported from /app/x.js\n    at resolve"), { code: 'ERR_MODULE_NOT_FOUND' });
    const p = await acquireAdapter({ loadDawn: () => Promise.reject(missing) });
    expect(p.ok).toBe(false);
    expect(!p.ok && p.reason).toBe(
      "WebGPU in Node needs the optional peer dependency 'webgpu' (Dawn), which did not load (Cannot find package 'webgpu' imported from /app/x.js): " +
        'install it with npm install webgpu@^0.6.2 (pnpm: also allowBuilds: { webgpu: false } in pnpm-workspace.yaml), or use the wasm backend',
    );
    const odd = await acquireAdapter({ loadDawn: () => Promise.resolve({ something: 1 }) });
    expect(!odd.ok && odd.reason).toMatch(/has no create\(\)\/globals/);
  });

  it('in Node, tries Dawn’s default backend, then OpenGL on Linux, and names the Mesa packages when neither has an adapter', async () => {
    const created: string[][] = [];
    const dawn = { create: (o: string[]) => (created.push(o), fakeGpu([])), globals: {} };
    const p = await acquireAdapter({ loadDawn: () => Promise.resolve({ default: dawn }), dawnOptions: ['enable-dawn-features=x'] });
    expect(p.ok).toBe(false);
    if (process.platform === 'linux') {
      expect(created).toEqual([['enable-dawn-features=x'], ['backend=opengl', 'enable-dawn-features=x']]);
      expect(process.env['EGL_PLATFORM']).toBeDefined();
      expect(!p.ok && p.reason).toMatch(/tried Dawn's default backend, then backend=opengl, core then compatibility level.*apt-get install libegl1 libgl1-mesa-dri.*EGL_PLATFORM=surfaceless/);
    }
    const forced: string[][] = [];
    const found = await acquireAdapter({
      loadDawn: () => Promise.resolve({ create: (o: string[]) => (forced.push(o), fakeGpu(['compatibility'])), globals: {} }),
      dawnBackend: 'vulkan',
    });
    expect(forced).toEqual([['backend=vulkan']]);
    expect(found.ok && found.acquired.dawn?.options).toEqual(['backend=vulkan']);
  });
});
