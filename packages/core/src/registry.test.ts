import { describe, expect, it } from 'vitest';
import type { Composite, Plugin, Rule } from './contracts.js';
import { InvalidArgumentError, UnknownRegistryItemError } from './errors.js';
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
