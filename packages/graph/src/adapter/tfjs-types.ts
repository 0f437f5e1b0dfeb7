/** Type aliases for the tfjs-layers objects the adapter reads (tfjs does not export them all by name). */
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** A tfjs-layers `Layer`. */
export type Layer = LayersModel['layers'][number];

/** A tfjs-layers topology `Node`: one call of a layer on its inbound tensors. */
export type LayerNode = Layer['inboundNodes'][number];

/** A symbolic tensor of a model's graph (`model.inputs`, `model.outputs`). */
export type ModelTensor = LayersModel['outputs'][number];
