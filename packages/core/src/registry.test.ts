import { describe, expect, it } from 'vitest';
import type { Backend, Composite, Plugin, Rule } from './contracts.js';
import { BackendUnavailableError, InvalidArgumentError, UnknownRegistryItemError } from './errors.js';
import { createRegistry } from './registry.js';

const rule: Rule = {
  specificationVersion: 'v1',
  id: 'my/pass',
  meta: { name: 'P', description: 'p', appliesTo: ['relu'], defaultOptions: {} },
  create: () => 'pass',
};
const composite: Composite = { specificationVersion: 'v1', id: 'mine', description: 'd', rules: [] };
const plugin: Plugin = { specificationVersion: 'v1', name: 'my-plugin', rules: [rule], composites: [composite] };

describe('createRegistry', () => {
  it('looks up what plugins register', () => {
    const registry = createRegistry([plugin]);
    expect(registry.rule('my/pass')).toBe(rule);
    expect(registry.composite('mine')).toBe(composite);
    expect(registry.ruleIds()).toEqual(['my/pass']);
  });
  it('names what is registered and which package provides a missing first-party piece', () => {
    const registry = createRegistry([plugin]);
    const err = (() => {
      try {
        registry.composite('epsilon-plus-flat');
      } catch (e) {
        return e as UnknownRegistryItemError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(UnknownRegistryItemError);
    expect(err.message).toContain("Unknown composite 'epsilon-plus-flat'");
    expect(err.message).toContain('registered: mine');
    expect(err.message).toContain('@nrm/rules-lrp');
    expect(() => registry.rule('lrp/gamma')).toThrow(/provided by @nrm\/rules-lrp/);
    expect(() => registry.backend('wasm')).toThrow(/provided by @nrm\/backend-wasm/);
    expect(() => registry.rule('nobody/knows')).toThrow(/No known package provides it/);
    expect(() => registry.adapterFor({})).toThrow(UnknownRegistryItemError);
  });
  it('rejects duplicate ids and plugins without a specification version', () => {
    expect(() => createRegistry([plugin, { ...plugin, name: 'other' }])).toThrow(InvalidArgumentError);
    expect(() => createRegistry([{ ...plugin, specificationVersion: 'v0' } as unknown as Plugin])).toThrow(/specificationVersion/);
  });
});

const fakeBackend = (id: string, reason?: string, setups: string[] = []): Backend => ({
  specificationVersion: 'v1',
  id,
  isSupported: () => Promise.resolve(reason === undefined ? { supported: true } : { supported: false, reason }),
  setup: () => {
    setups.push(id);
    return Promise.resolve();
  },
});
const backends = (...list: Backend[]): Plugin => ({ specificationVersion: 'v1', name: 'backends', backends: list });

describe('registry.selectBackend', () => {
  it('returns the first supported backend, with one notice line per skipped one, without setting it up', async () => {
    const setups: string[] = [];
    const registry = createRegistry([
      backends(
        fakeBackend('tensorflow', "package '@tensorflow/tfjs-node' is not installed", setups),
        fakeBackend('webgpu', 'no adapter\nsecond line', setups),
        fakeBackend('wasm', undefined, setups),
        fakeBackend('cpu', undefined, setups),
      ),
    ]);
    const notices: string[] = [];
    const chosen = await registry.selectBackend(['tensorflow', 'webgpu', 'wasm', 'cpu'], { notice: (l) => notices.push(l) });
    expect(chosen.id).toBe('wasm');
    expect(setups).toEqual([]);
    expect(notices).toEqual([
      "backend 'tensorflow' skipped (package '@tensorflow/tfjs-node' is not installed); using 'wasm'",
      "backend 'webgpu' skipped (no adapter); using 'wasm'",
    ]);
    const quiet: string[] = [];
    expect((await registry.selectBackend(['cpu', 'tensorflow'], { notice: (l) => quiet.push(l) })).id).toBe('cpu');
    expect(quiet).toEqual([]);
  });
  it('skips unregistered ids (naming the package that provides them) and backends whose isSupported throws', async () => {
    const broken: Backend = { ...fakeBackend('broken'), isSupported: () => Promise.reject(new Error('boom\nstack')) };
    const registry = createRegistry([backends(broken, fakeBackend('cpu'))]);
    const notices: string[] = [];
    expect((await registry.selectBackend(['webgpu', 'broken', 'cpu'], { notice: (l) => notices.push(l) })).id).toBe('cpu');
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/^backend 'webgpu' skipped \(Unknown backend 'webgpu'.*@nrm\/backend-webgpu.*\); using 'cpu'$/);
    expect(notices[1]).toBe("backend 'broken' skipped (isSupported() threw: boom); using 'cpu'");
  });
  it('throws BackendUnavailableError naming every reason when none is supported', async () => {
    const registry = createRegistry([backends(fakeBackend('tensorflow', 'addon missing'), fakeBackend('webgpu', 'no adapter'))]);
    const notices: string[] = [];
    const err = await registry.selectBackend(['tensorflow', 'webgpu'], { notice: (l) => notices.push(l) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    const e = err as BackendUnavailableError;
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.message).toBe("None of the backends 'tensorflow', 'webgpu' is available here: 'tensorflow': addon missing; 'webgpu': no adapter");
    expect(e.tried).toEqual([
      { backend: 'tensorflow', reason: 'addon missing' },
      { backend: 'webgpu', reason: 'no adapter' },
    ]);
    expect(notices).toEqual([]);
    const single = await registry.selectBackend(['webgpu']).catch((x: unknown) => x);
    expect((single as Error).message).toBe("Backend 'webgpu' is not available here: no adapter");
    await expect(registry.selectBackend([])).rejects.toThrow(InvalidArgumentError);
  });
});
