import type { Backend, Composite, GraphAdapter, Plugin, Rule, SelectBackendOptions } from './contracts.js';
import { BackendUnavailableError, InvalidArgumentError, UnknownRegistryItemError, type BackendAttempt } from './errors.js';
import { KNOWN_PROVIDERS } from './providers.js';

/** What `createRegistry` returns: look-ups that fail loudly with what is registered. */
export interface Registry {
  readonly plugins: readonly Plugin[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  rule(id: string): Rule<any>;
  composite(id: string): Composite;
  backend(id: string): Backend;
  /**
   * The first backend of `preferences` (ids, best first) that is supported here; it is not set
   * up (call its `setup()`). Each skipped one (not registered, or `isSupported()` says why not)
   * gets one line through `options.notice`. When none is supported it throws a
   * {@link BackendUnavailableError} whose message and `tried` name every reason.
   *
   * @example
   * ```ts
   * const backend = await registry.selectBackend(['tensorflow', 'wasm'], { notice: console.warn });
   * await backend.setup();
   * ```
   */
  selectBackend(preferences: readonly string[], options?: SelectBackendOptions): Promise<Backend>;
  /** The first registered adapter that can translate `model`. */
  adapterFor(model: unknown): GraphAdapter;
  ruleIds(): string[];
  compositeIds(): string[];
  backendIds(): string[];
  adapterIds(): string[];
}

type Kind = 'rule' | 'composite' | 'adapter' | 'backend';

function index<T extends { id: string }>(kind: Kind, items: { item: T; plugin: string }[]): Map<string, T> {
  const map = new Map<string, T>();
  const owner = new Map<string, string>();
  for (const { item, plugin } of items) {
    const previous = owner.get(item.id);
    if (previous !== undefined) {
      throw new InvalidArgumentError(`${kind} '${item.id}' is registered twice (by ${previous} and ${plugin}); register each plugin once.`);
    }
    if (!('specificationVersion' in item) || (item as { specificationVersion?: unknown }).specificationVersion !== 'v1') {
      throw new InvalidArgumentError(`${kind} '${item.id}' from ${plugin} has no specificationVersion 'v1'.`);
    }
    map.set(item.id, item);
    owner.set(item.id, plugin);
  }
  return map;
}

function lookup<T>(kind: Kind, map: Map<string, T>, id: string): T {
  const found = map.get(id);
  if (found === undefined) throw new UnknownRegistryItemError(kind, id, [...map.keys()], KNOWN_PROVIDERS[`${kind}:${id}`]);
  return found;
}

/**
 * Composes plugins explicitly: `createRegistry([tfjsLayers, lrp, gradient, cpu])`. Nothing registers
 * itself at import time. Duplicate ids are an error.
 */
export function createRegistry(plugins: readonly Plugin[]): Registry {
  for (const p of plugins) {
    if (p?.specificationVersion !== 'v1') {
      throw new InvalidArgumentError(`Plugin '${String(p?.name)}' has no specificationVersion 'v1'.`);
    }
  }
  const collect = <T extends { id: string }>(pick: (p: Plugin) => readonly T[] | undefined) =>
    plugins.flatMap((p) => (pick(p) ?? []).map((item) => ({ item, plugin: p.name })));
  const rules = index('rule', collect((p) => p.rules));
  const composites = index('composite', collect((p) => p.composites));
  const adapters = index('adapter', collect((p) => p.adapters));
  const backends = index('backend', collect((p) => p.backends));
  return {
    plugins,
    rule: (id) => lookup('rule', rules, id),
    composite: (id) => lookup('composite', composites, id),
    backend: (id) => lookup('backend', backends, id),
    selectBackend: (preferences, options) => selectBackend(backends, preferences, options),
    adapterFor(model) {
      for (const adapter of adapters.values()) if (adapter.canAdapt(model)) return adapter;
      throw new UnknownRegistryItemError('adapter', describeModel(model), [...adapters.keys()], KNOWN_PROVIDERS['adapter:tfjs-layers']);
    },
    ruleIds: () => [...rules.keys()],
    compositeIds: () => [...composites.keys()],
    backendIds: () => [...backends.keys()],
    adapterIds: () => [...adapters.keys()],
  };
}

/** One line: the first line of a reason, without trailing punctuation. */
function oneLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim().replace(/[.;:]+$/, '');
}

async function selectBackend(
  backends: Map<string, Backend>,
  preferences: readonly string[],
  options: SelectBackendOptions = {},
): Promise<Backend> {
  if (preferences.length === 0) {
    throw new InvalidArgumentError(`selectBackend needs at least one backend id; registered: ${[...backends.keys()].join(', ') || '(none)'}.`);
  }
  const tried: BackendAttempt[] = [];
  for (const id of preferences) {
    const backend = backends.get(id);
    let reason: string;
    if (backend === undefined) {
      reason = oneLine(new UnknownRegistryItemError('backend', id, [...backends.keys()], KNOWN_PROVIDERS[`backend:${id}`]).message);
    } else {
      try {
        const report = await backend.isSupported();
        if (report.supported) {
          for (const t of tried) options.notice?.(`backend '${t.backend}' skipped (${t.reason}); using '${id}'`);
          return backend;
        }
        reason = oneLine(report.reason);
      } catch (e) {
        // isSupported() must not throw; a plugin that does is treated as unsupported.
        reason = `isSupported() threw: ${oneLine(e instanceof Error ? e.message : String(e))}`;
      }
    }
    tried.push({ backend: id, reason });
  }
  if (tried.length === 1) throw new BackendUnavailableError(tried[0]!.backend, tried[0]!.reason, tried);
  throw new BackendUnavailableError(
    preferences.join(', '),
    tried.map((t) => `'${t.backend}': ${t.reason}`).join('; '),
    tried,
  );
}

function describeModel(model: unknown): string {
  if (model && typeof model === 'object') return `for ${(model as object).constructor?.name ?? 'object'}`;
  return `for ${typeof model}`;
}
