/**
 * `@nrm/core`: the contracts, the registry, the propagation engine and the typed errors of NRM.
 *
 * @packageDocumentation
 */
export * from './ir.js';
export * from './errors.js';
export * from './contracts.js';
export { createRegistry, type Registry } from './registry.js';
export { KNOWN_PROVIDERS } from './providers.js';
export { stabilize } from './stabilize.js';
export { consume, consume2 } from './consume.js';
export { readNpy, writeNpy, type NpyArray } from './io/npy.js';
export { createExplainer, type Explainer, type ExplainerOptions } from './engine/explainer.js';
export { isDeviceGraph, uploadGraph, type DeviceGraph, type UploadGraphOptions } from './engine/device-graph.js';
export type { Condition, ExplainRequest, Explanation, Target } from './engine/requests.js';
export { nonNegativeOutputs } from './engine/non-negative.js';
export { OPS } from './ops/registry-of-ops.js';
export type { OpImpl } from './ops/op-impl.js';
export { conv2dBackwardInput, type DeriveKernel } from './ops/conv2d-backward.js';
