/**
 * `@nrm/backend-webgpu`: tfjs's WebGPU backend for NRM, in browsers (`navigator.gpu`) and in Node
 * (the optional peer `webgpu`, Dawn; on a machine without a GPU, Mesa's software OpenGL), with a
 * guard that raises a `BackendLimitError` for any tensor above the adapter's
 * `maxStorageBufferBindingSize` instead of letting the driver compute garbage.
 *
 * Browser-safe: no `node:` import; `webgpu` and tfjs's WebGPU backend are imported on first use.
 *
 * @packageDocumentation
 */
export {
  createWebGpuBackend,
  webgpuBackend,
  webgpu,
  type WebGpuBackend,
  type WebGpuBackendOptions,
  type WebGpuAdapterSummary,
} from './webgpu-backend.js';
export {
  acquireAdapter,
  useSurfacelessEgl,
  type AcquiredAdapter,
  type AdapterProbe,
  type AdapterRequest,
  type DawnBackend,
  type DawnModule,
  type FeatureLevel,
} from './acquire-adapter.js';
export { tensorBytes } from './limit-errors.js';
