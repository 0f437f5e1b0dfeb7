/** The `foldBatchNorm` pass: merges BatchNormalization into the linear node before it. */
import type { Graph, HostTensor, IRNode, NodeParams, OpKind } from '@nrm/core';
import { consumersOf, replaceNodes } from '../graph-edit.js';

/** Ops a following `batchNorm` can be folded into. */
const FOLDABLE_OPS: ReadonlySet<OpKind> = new Set<OpKind>([
  'dense',
  'conv2d',
  'conv2dTranspose',
  'depthwiseConv2d',
  'batchNorm',
]);

/**
 * For each flat kernel index, its output channel: the last axis for dense `[in, out]`, conv2d
 * `[kh, kw, in, out]` and batchNorm `[C]`; `in·multiplier` flattened for depthwiseConv2d
 * `[kh, kw, in, multiplier]`; axis 2 for conv2dTranspose `[kh, kw, out, in]`.
 */
function outputChannelOf(node: IRNode, kernel: HostTensor): { channels: number; channel: (flat: number) => number } {
  const shape = kernel.shape;
  const last = shape[shape.length - 1] ?? 1;
  switch (node.op) {
    case 'conv2dTranspose': {
      const out = shape[2] ?? 1;
      return { channels: out, channel: (flat) => Math.floor(flat / last) % out };
    }
    case 'depthwiseConv2d': {
      const channels = (shape[2] ?? 1) * last;
      return { channels, channel: (flat) => flat % channels };
    }
    default:
      return { channels: last, channel: (flat) => flat % last };
  }
}

/** `W' = W·scale` per output channel and `b' = b·scale + offset` (b = 0 without bias). */
export function foldAffineIntoParams(node: IRNode, params: NodeParams, scale: HostTensor, offset: HostTensor): NodeParams {
  const { channels, channel } = outputChannelOf(node, params.kernel);
  if (scale.data.length !== channels || offset.data.length !== channels) {
    throw new Error(
      `Cannot fold a ${scale.data.length}-channel BatchNormalization into '${node.id}' with ${channels} output channels.`,
    );
  }
  const kernel = new Float32Array(params.kernel.data.length);
  params.kernel.data.forEach((w, i) => {
    kernel[i] = w * (scale.data[channel(i)] as number);
  });
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    bias[c] = (params.bias?.data[c] ?? 0) * (scale.data[c] as number) + (offset.data[c] as number);
  }
  return { kernel: { shape: [...params.kernel.shape], data: kernel }, bias: { shape: [channels], data: bias } };
}

/** The node `bn` can be folded into, if any. */
function foldTarget(graph: Graph, consumers: ReadonlyMap<string, string[]>, bn: IRNode): IRNode | undefined {
  const [inputId] = bn.inputs;
  if (bn.op !== 'batchNorm' || bn.inputs.length !== 1 || inputId === undefined || !bn.params?.bias) return undefined;
  const producer = graph.nodes.find((node) => node.id === inputId);
  if (!producer?.params || !FOLDABLE_OPS.has(producer.op)) return undefined;
  if (producer.activation !== undefined && producer.activation !== 'linear') return undefined;
  if (graph.outputs.includes(producer.id)) return undefined;
  const readers = consumers.get(producer.id) ?? [];
  return readers.length === 1 && readers[0] === bn.id ? producer : undefined;
}

/**
 * Folds every `batchNorm` node into the linear node feeding it (dense, conv2d, conv2dTranspose,
 * depthwiseConv2d, or an unfolded batchNorm) when that node has no pending activation, is read
 * only by the BN and is not a graph output. The folded node keeps the linear node's id and gets
 * new parameter arrays; the BN node disappears and its layer name maps to the folded node. A BN
 * that cannot be folded stays a `batchNorm` node. Pure; topological order is kept.
 */
export function foldBatchNorm(graph: Graph): Graph {
  let current = replaceNodes(graph, new Map());
  for (;;) {
    const consumers = consumersOf(current);
    let folded: Graph | undefined;
    for (const bn of current.nodes) {
      const target = foldTarget(current, consumers, bn);
      if (!target?.params || !bn.params?.bias) continue;
      const params = foldAffineIntoParams(target, target.params, bn.params.kernel, bn.params.bias);
      const node = { ...target, params, outputShape: bn.outputShape } as IRNode;
      folded = replaceNodes(current, new Map([[bn.id, target.id]]), new Map([[target.id, node]]));
      break;
    }
    if (!folded) return current;
    current = folded;
  }
}
