/**
 * NRM's own graph IR: a small, typed, plain-data description of a network.
 *
 * A model (a tfjs `LayersModel` today) is translated into this IR by a {@link GraphAdapter};
 * canonicalization passes are pure functions `Graph → Graph`. Parameters are host arrays
 * ({@link HostTensor}), so a graph owns no device memory and passes are exact and testable;
 * an explainer uploads them to the device once.
 *
 * @packageDocumentation
 */

/** A dense float32 array with its shape, kept on the host (no device memory). */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Every operation the engine knows. Linear operations with parameters come first. */
export type OpKind =
  | 'input'
  | 'dense'
  | 'conv2d'
  | 'conv2dTranspose'
  | 'depthwiseConv2d'
  | 'batchNorm'
  | 'relu'
  | 'maxPool2d'
  | 'avgPool2d'
  | 'globalAvgPool2d'
  | 'globalMaxPool2d'
  | 'flatten'
  | 'reshape'
  | 'add'
  | 'concat'
  | 'upSampling2d'
  | 'zeroPadding2d'
  | 'identity'
  | 'dropout'
  | 'softmax';

/** Linear operations that carry a kernel (and maybe a bias): the nodes LRP rules act on. */
export const LINEAR_OPS = ['dense', 'conv2d', 'conv2dTranspose', 'depthwiseConv2d', 'batchNorm'] as const;
/** Convolutions, in the sense of the composites ("the first conv", "other convs"). */
export const CONV_OPS = ['conv2d', 'conv2dTranspose', 'depthwiseConv2d'] as const;
/** Parameter-free linear operations that mix values (handled by the Norm rule in LRP). */
export const SUM_OPS = ['add', 'avgPool2d', 'globalAvgPool2d'] as const;
/** Operations that only move values around (their backward is their transpose, always). */
export const STRUCTURAL_OPS = ['flatten', 'reshape', 'concat', 'upSampling2d', 'zeroPadding2d', 'identity'] as const;

export type LinearOp = (typeof LINEAR_OPS)[number];

/** Padding of a convolution or pooling window. */
export type Padding = 'same' | 'valid';

/** Per-op attributes. Shapes exclude the batch axis; layouts are channels-last (NHWC). */
export interface OpAttrs {
  input: { shape: readonly number[] };
  /** kernel `[in, out]`, optional bias `[out]`. */
  dense: Record<string, never>;
  /** kernel `[kh, kw, in, out]`, optional bias `[out]`. */
  conv2d: { strides: [number, number]; padding: Padding; dilations: [number, number] };
  /** kernel `[kh, kw, out, in]` (Keras and tfjs layout), optional bias `[out]`. */
  conv2dTranspose: { strides: [number, number]; padding: Padding };
  /** kernel `[kh, kw, in, multiplier]`, optional bias `[in·multiplier]`. */
  depthwiseConv2d: { strides: [number, number]; padding: Padding; dilations: [number, number] };
  /** A BatchNormalization that could not be folded: `y = x ⊙ kernel + bias`, kernel and bias `[C]`. */
  batchNorm: Record<string, never>;
  relu: Record<string, never>;
  maxPool2d: { poolSize: [number, number]; strides: [number, number]; padding: Padding };
  avgPool2d: { poolSize: [number, number]; strides: [number, number]; padding: Padding };
  globalAvgPool2d: { keepDims: boolean };
  globalMaxPool2d: { keepDims: boolean };
  flatten: Record<string, never>;
  reshape: { targetShape: readonly number[] };
  add: Record<string, never>;
  /** `axis` counts the batch axis (Keras' default -1 is stored as the rank - 1). */
  concat: { axis: number };
  upSampling2d: { size: [number, number] };
  /** `[[top, bottom], [left, right]]`. */
  zeroPadding2d: { padding: [[number, number], [number, number]] };
  identity: Record<string, never>;
  /** Removed by the canonicalization passes. */
  dropout: { rate: number };
  /** Removed (with a warning) when it is the last node; rejected elsewhere. */
  softmax: Record<string, never>;
}

/** Parameters of a linear node. */
export interface NodeParams {
  kernel: HostTensor;
  bias?: HostTensor;
}

/** One node of the IR. `op` decides the shape of `attrs`. */
export type IRNode = {
  [K in OpKind]: {
    /** Unique id; for a node that is a whole Keras layer, the layer's name. */
    readonly id: string;
    readonly op: K;
    /** Ids of the nodes feeding this one, in order. */
    readonly inputs: readonly string[];
    readonly attrs: OpAttrs[K];
    /** Kernel and bias, for linear ops. */
    readonly params?: NodeParams;
    /** Output shape without the batch axis. */
    readonly outputShape: readonly number[];
    /**
     * An activation fused into a linear node by the source framework. Present only before the
     * `splitActivations` pass, which moves it into a node of its own.
     */
    readonly activation?: 'relu' | 'linear' | 'softmax';
    /** The source layer (e.g. Keras class name) this node came from, for error messages. */
    readonly source?: { readonly name: string; readonly className: string };
  };
}[OpKind];

/** A node of a given kind. */
export type IRNodeOf<K extends OpKind> = Extract<IRNode, { op: K }>;

/** The graph: nodes in a topological order, and where each source layer's output lives. */
export interface Graph {
  /** Nodes in topological order (every node after all of its inputs). */
  readonly nodes: readonly IRNode[];
  /** Id of the input node (one input per graph). */
  readonly input: string;
  /** Ids of the output nodes. */
  readonly outputs: readonly string[];
  /**
   * Source layer name → id of the node whose output relevance equals the relevance at that layer's
   * output. After BN folding both the conv and its BatchNormalization map to the folded node; after
   * activation splitting the layer maps to the activation node.
   */
  readonly layers: Readonly<Record<string, string>>;
  /** Messages from passes (e.g. a stripped final softmax). */
  readonly warnings: readonly string[];
}
