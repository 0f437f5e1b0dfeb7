/**
 * tfjs-node / tfjs-node-gpu as an NRM backend: optional peers, loaded on first use, with a
 * reason that names the fix when they cannot load.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, type Backend, type Plugin, type SupportReport } from '@nrm/core';

/** The tfjs backend name that `@tensorflow/tfjs-node` and `-gpu` register. */
export const TENSORFLOW_BACKEND = 'tensorflow';

/** Options of {@link createNodeBackend}. */
export interface NodeBackendOptions {
  /** Use `@tensorflow/tfjs-node-gpu` (CUDA) instead of `@tensorflow/tfjs-node` (default false). */
  readonly gpu?: boolean;
  /**
   * How to load the package (default: a dynamic import that bundlers do not follow). Pass
   * `() => import('@tensorflow/tfjs-node')` where a bundler should see the dependency.
   */
  readonly load?: () => Promise<unknown>;
}

/** The tfjs-node backend: an NRM {@link Backend} that says which package it loads. */
export interface NodeBackend extends Backend {
  /** `tensorflow`, the name tfjs-node registers in tfjs. */
  readonly id: typeof TENSORFLOW_BACKEND;
  /** `@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu`. */
  readonly packageName: string;
}

const firstLine = (e: unknown) => ((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '').trim();

function isNode(): boolean {
  return typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
}

/** Whether `e` says that `packageName` itself (not one of its files or dependencies) is missing. */
function isMissingPackage(e: unknown, packageName: string): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  const message = firstLine(e);
  // Node: Cannot find package 'x' imported from …; CommonJS: Cannot find module 'x'; Vite: Could not resolve "x".
  const names = new RegExp(`(Cannot find (package|module)|Could not resolve|Failed to (load|resolve)( import| url)?) ['"]?${packageName.replace(/[/.-]/g, '\\$&')}['" ]`);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === undefined) && names.test(`${message} `);
}

/** The package, without letting bundlers or TypeScript see the specifier. */
function importPackage(packageName: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ packageName);
}

/** The engine's active backend name, without making tfjs pick one. */
function activeBackendName(): string | null {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? null;
}

/**
 * A tfjs-node backend set-up. `isSupported()` imports the optional peer (which registers tfjs's
 * `tensorflow` backend) and explains why it cannot run: not installed (its installer downloads
 * libtensorflow, which fails offline), or its native addon failed to load (with the error's
 * first line). It never throws, and leaves the active tfjs backend as it was.
 */
export function createNodeBackend(options: NodeBackendOptions = {}): NodeBackend {
  const packageName = options.gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const install =
    `npm install ${packageName}@4.22.0 (its installer downloads libtensorflow${options.gpu ? ' for CUDA' : ''} from ` +
    'storage.googleapis.com, which fails offline or behind a proxy)';
  let loaded: Promise<SupportReport> | undefined;

  const load = (): Promise<SupportReport> => {
    loaded ??= (async (): Promise<SupportReport> => {
      if (!isNode()) {
        return { supported: false, reason: `${packageName} runs only in Node (a native addon); in browsers use the webgpu or wasm backend` };
      }
      const before = activeBackendName();
      try {
        await (options.load ?? (() => importPackage(packageName)))();
      } catch (e) {
        if (isMissingPackage(e, packageName)) {
          return { supported: false, reason: `package '${packageName}' is not installed (an optional peer dependency): ${install}; or use the wasm backend` };
        }
        return {
          supported: false,
          reason:
            `the native addon of '${packageName}' failed to load (${firstLine(e)}): reinstall it with ${install}, ` +
            'check that its libtensorflow matches this OS and CPU; or use the wasm backend',
        };
      } finally {
        // Importing tfjs-node switches tfjs to its backend: put back what was active.
        const now = activeBackendName();
        if (before !== null && now !== before) await tf.setBackend(before);
      }
      if (!tf.findBackendFactory(TENSORFLOW_BACKEND)) {
        return {
          supported: false,
          reason:
            `'${packageName}' loaded but registered no '${TENSORFLOW_BACKEND}' backend with this copy of @tensorflow/tfjs-core ` +
            `(${tf.version_core}): install versions that share one tfjs-core (all 4.22.0)`,
        };
      }
      return { supported: true };
    })().catch((e: unknown) => ({ supported: false, reason: `checking ${packageName} failed (${firstLine(e)})` }) as const);
    return loaded;
  };

  return {
    specificationVersion: 'v1',
    id: TENSORFLOW_BACKEND,
    packageName,
    isSupported: load,
    async setup() {
      const report = await load();
      if (!report.supported) throw new BackendUnavailableError(TENSORFLOW_BACKEND, report.reason);
      if (!(await tf.setBackend(TENSORFLOW_BACKEND))) {
        throw new BackendUnavailableError(TENSORFLOW_BACKEND, `tfjs could not start the backend of ${packageName}`);
      }
      await tf.ready();
    },
  };
}

/** tfjs-node (CPU, libtensorflow). */
export const nodeBackend: NodeBackend = createNodeBackend();

/** tfjs-node-gpu (CUDA, libtensorflow). Registers the same `tensorflow` id as {@link nodeBackend}. */
export const nodeGpuBackend: NodeBackend = createNodeBackend({ gpu: true });

/** The plugin carrying {@link nodeBackend}: `createRegistry([..., node, wasm])`. */
export const node: Plugin = { specificationVersion: 'v1', name: '@nrm/backend-node', backends: [nodeBackend] };

/** The plugin carrying {@link nodeGpuBackend}; register it instead of {@link node}, not with it. */
export const nodeGpu: Plugin = { specificationVersion: 'v1', name: '@nrm/backend-node', backends: [nodeGpuBackend] };
