/**
 * `@nrm/backend-node`: TensorFlow's C library through `@tensorflow/tfjs-node` (CPU) or
 * `@tensorflow/tfjs-node-gpu` (CUDA), both optional peers loaded on first use. Where they cannot
 * load, `isSupported()` says why and how to fix it, and `registry.selectBackend` falls back.
 *
 * @packageDocumentation
 */
export {
  createNodeBackend,
  nodeBackend,
  nodeGpuBackend,
  node,
  nodeGpu,
  TENSORFLOW_BACKEND,
  type NodeBackend,
  type NodeBackendOptions,
} from './node-backend.js';
