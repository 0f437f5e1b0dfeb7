/**
 * The NRM `Backend` for tfjs's WebGPU backend, with the buffer-limit guard, in browsers and Node.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, type Backend, type Plugin, type SupportReport } from '@nrm/core';
import { acquireAdapter, isNode, type AcquiredAdapter, type AdapterProbe, type AdapterRequest, type FeatureLevel } from './acquire-adapter.js';
import { guardedBackendClass, type GuardedWebGpuBackend } from './guarded-backend.js';
import { installKernelFixes } from './kernel-fixes.js';

/** Options of {@link createWebGpuBackend}: where to find an adapter, and the buffer guard's limit. */
export interface WebGpuBackendOptions extends AdapterRequest {
  /**
   * The largest tensor, in bytes, that may get a GPU buffer. Default and upper bound: the
   * device's `maxStorageBufferBindingSize` (128 MiB on most drivers). Lower it for drivers that
   * misbehave below their advertised limit, or to test the guard.
   */
  readonly maxBindingBytes?: number;
}

/** What the backend found: the adapter and the limits the guard enforces. */
export interface WebGpuAdapterSummary {
  /** A readable name: the adapter's description and device, else its vendor (e.g. `OpenGL version 4.5 … Mesa 22.3.6 / llvmpipe…`). */
  readonly name: string;
  /** `GPUAdapterInfo.vendor` (empty where the implementation hides it). */
  readonly vendor: string;
  /** `GPUAdapterInfo.architecture` (may be empty). */
  readonly architecture: string;
  /** `GPUAdapterInfo.device` (may be empty). */
  readonly device: string;
  /** `GPUAdapterInfo.description` (may be empty). */
  readonly description: string;
  /** The feature level of the adapter that was found. */
  readonly featureLevel: FeatureLevel;
  /** Node: the `create()` options of the `webgpu` package that found it (e.g. `['backend=opengl']`). */
  readonly dawnOptions?: readonly string[];
  /** The adapter's `maxStorageBufferBindingSize`, in bytes. */
  readonly maxStorageBufferBindingSize: number;
  /** The adapter's `maxBufferSize`, in bytes. */
  readonly maxBufferSize: number;
  /** The limit the guard enforces: the smallest of the above and `maxBindingBytes`. */
  readonly maxBindingBytes: number;
}

/** The WebGPU backend: an NRM {@link Backend} with what it found and a `dispose()`. */
export interface WebGpuBackend extends Backend {
  readonly id: 'webgpu';
  /**
   * Sets up tfjs's WebGPU backend, guarded: every tensor above `maxBindingBytes` throws a
   * `BackendLimitError` instead of being allocated. Replaces any other `webgpu` registration in
   * tfjs (tfjs's own, or another NRM WebGPU backend's).
   */
  setup(): Promise<void>;
  /** The adapter found by `isSupported()` or `setup()`; `undefined` before, or when there is none. */
  adapterSummary(): WebGpuAdapterSummary | undefined;
  /**
   * Removes the tfjs backend (tensors on it are gone: dispose them first), destroys the GPU
   * device and, in Node, removes the globals `setup()` defined. A later `setup()` starts afresh.
   */
  dispose(): Promise<void>;
}

/** What a set-up backend holds, module-wide: tfjs has one `webgpu` backend name. */
interface Active {
  readonly owner: WebGpuBackend;
  readonly device: GPUDevice;
  readonly instance: GuardedWebGpuBackend;
  readonly undoGlobals: () => void;
}
let active: Active | undefined;

/** Node: defines Dawn's `GPUBufferUsage`, `GPUBuffer`, … and `navigator.gpu`; returns the undo. */
function installNodeGlobals(acquired: AcquiredAdapter): () => void {
  const g = globalThis as Record<string, unknown> & { navigator?: { gpu?: GPU } };
  const added: string[] = [];
  for (const [key, value] of Object.entries(acquired.dawn?.module.globals ?? {})) {
    if (!(key in g)) {
      g[key] = value;
      added.push(key);
    }
  }
  // tfjs's WebGPUBackend constructor checks navigator.gpu.
  let undoNavigator = () => {};
  if (g.navigator === undefined) {
    Object.defineProperty(g, 'navigator', { value: { gpu: acquired.gpu }, configurable: true, writable: true });
    undoNavigator = () => void delete g.navigator;
  } else if (g.navigator.gpu === undefined) {
    const navigator = g.navigator;
    Object.defineProperty(navigator, 'gpu', { value: acquired.gpu, configurable: true, writable: true });
    undoNavigator = () => void delete navigator.gpu;
  }
  return () => {
    undoNavigator();
    for (const key of added) delete g[key];
  };
}

function summarize(acquired: AcquiredAdapter, maxBindingBytes: number | undefined): WebGpuAdapterSummary {
  const { adapter } = acquired;
  const info = adapter.info ?? ({} as Partial<GPUAdapterInfo>);
  const binding = adapter.limits.maxStorageBufferBindingSize;
  const maxBuffer = adapter.limits.maxBufferSize;
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    name: [s(info.description), s(info.device)].filter(Boolean).join(' / ') || s(info.vendor) || 'unnamed adapter',
    vendor: s(info.vendor),
    architecture: s(info.architecture),
    device: s(info.device),
    description: s(info.description),
    featureLevel: acquired.featureLevel,
    ...(acquired.dawn ? { dawnOptions: acquired.dawn.options } : {}),
    maxStorageBufferBindingSize: binding,
    maxBufferSize: maxBuffer,
    maxBindingBytes: Math.min(binding, maxBuffer, maxBindingBytes ?? Infinity),
  };
}

/** The limits tfjs asks for (the adapter's best), as in tfjs-backend-webgpu's own set-up. */
function deviceDescriptor(adapter: GPUAdapter): GPUDeviceDescriptor {
  const l = adapter.limits;
  return {
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/**
 * A WebGPU backend set-up. In browsers it uses `navigator.gpu`; in Node the optional peer
 * `webgpu` (Dawn), imported on first use: Dawn's default backend, then on Linux its OpenGL
 * backend with a compatibility-level adapter and `EGL_PLATFORM=surfaceless` (set when unset),
 * which runs on Mesa's software rasterizer on machines without a GPU.
 *
 * Limits: tensors above the adapter's `maxStorageBufferBindingSize` raise a `BackendLimitError`
 * (software drivers would return garbage); in Node, `dataSync()` of GPU data raises one too
 * (use `await tensor.data()`; `createExplainer({checkFinite: false})`).
 *
 * @example
 * ```ts
 * const backend = createWebGpuBackend();
 * const report = await backend.isSupported();
 * if (report.supported) await backend.setup();
 * // … explain …
 * await backend.dispose(); // lets Node exit without process.exit()
 * ```
 */
export function createWebGpuBackend(options: WebGpuBackendOptions = {}): WebGpuBackend {
  if (options.maxBindingBytes !== undefined && !(options.maxBindingBytes > 0)) {
    throw new RangeError(`maxBindingBytes must be a positive number of bytes, got ${options.maxBindingBytes}.`);
  }
  let probe: Promise<AdapterProbe> | undefined;
  let summary: WebGpuAdapterSummary | undefined;
  const find = () => {
    probe ??= acquireAdapter(options).then((p) => {
      summary = p.ok ? summarize(p.acquired, options.maxBindingBytes) : undefined;
      return p;
    });
    return probe;
  };

  const backend: WebGpuBackend = {
    specificationVersion: 'v1',
    id: 'webgpu',
    async isSupported(): Promise<SupportReport> {
      const p = await find();
      return p.ok ? { supported: true } : { supported: false, reason: p.reason };
    },
    adapterSummary: () => summary,
    async setup() {
      if (active?.owner === backend && tf.findBackend('webgpu') === active.instance) {
        if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailableError('webgpu', 'tfjs could not switch back to the webgpu backend');
        return;
      }
      if (active) await active.owner.dispose();
      const p = await find();
      if (!p.ok) throw new BackendUnavailableError('webgpu', p.reason);
      // An adapter gives one device; a later setup() after dispose() looks again.
      probe = undefined;
      const { acquired } = p;
      const s = summarize(acquired, options.maxBindingBytes);
      const undoGlobals = isNode() ? installNodeGlobals(acquired) : () => {};
      let device: GPUDevice | undefined;
      try {
        const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
        installKernelFixes();
        device = await acquired.adapter.requestDevice(deviceDescriptor(acquired.adapter));
        const Guarded = guardedBackendClass(webgpu.WebGPUBackend);
        const instance = new Guarded(device, acquired.adapter.info, {
          limit: { bytes: Math.min(s.maxBindingBytes, device.limits.maxStorageBufferBindingSize), adapterBytes: device.limits.maxStorageBufferBindingSize },
          syncReads: typeof OffscreenCanvas !== 'undefined',
        });
        // Importing tfjs-backend-webgpu registers tfjs's own factory where navigator.gpu exists.
        if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
        tf.registerBackend('webgpu', () => instance, 1);
        active = { owner: backend, device, instance, undoGlobals };
        if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
        await tf.ready();
        summary = s;
      } catch (e) {
        if (active?.owner === backend) await backend.dispose();
        else {
          device?.destroy();
          undoGlobals();
        }
        if (e instanceof BackendUnavailableError) throw e;
        throw new BackendUnavailableError('webgpu', `setting up tfjs's WebGPU backend failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    async dispose() {
      if (active?.owner !== backend) return;
      const { device, instance, undoGlobals } = active;
      active = undefined;
      if (tf.findBackendFactory('webgpu') && tf.findBackend('webgpu') === instance) tf.removeBackend('webgpu');
      instance.expectDeviceLoss();
      device.destroy();
      undoGlobals();
      // Let Dawn finish its callbacks before the caller ends the process.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
  return backend;
}

/** The default WebGPU backend (adapter limits, Dawn's default then OpenGL in Node). */
export const webgpuBackend: WebGpuBackend = createWebGpuBackend();

/** The plugin carrying {@link webgpuBackend}: `createRegistry([..., webgpu])`. */
export const webgpu: Plugin = { specificationVersion: 'v1', name: '@nrm/backend-webgpu', backends: [webgpuBackend] };
