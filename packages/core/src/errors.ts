/**
 * Typed errors. Each one names the thing that is wrong and how to fix it, in one line
 * (the CLI prints `error.message` as is), and carries a stable `code`.
 */

/** Codes of every NRM error, stable across versions. */
export type NrmErrorCode =
  | 'UNSUPPORTED_LAYER'
  | 'SHAPE_MISMATCH'
  | 'TARGET_OUT_OF_RANGE'
  | 'UNKNOWN_LAYER'
  | 'UNKNOWN_REGISTRY_ITEM'
  | 'MODEL_LOAD'
  | 'TRUNCATED_WEIGHTS'
  | 'NON_FINITE_INPUT'
  | 'INVALID_ARGUMENT'
  | 'INVALID_NPY'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_LIMIT';

/** Base class of every error NRM throws on purpose. */
export class NrmError extends Error {
  readonly code: NrmErrorCode;
  constructor(code: NrmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A layer (or layer configuration) the graph adapter cannot translate. */
export class UnsupportedLayerError extends NrmError {
  constructor(
    readonly layerName: string,
    readonly className: string,
    readonly supported: readonly string[],
    detail?: string,
  ) {
    super(
      'UNSUPPORTED_LAYER',
      `Layer '${layerName}' of class ${className} is not supported${detail ? ` (${detail})` : ''}; ` +
        `supported classes: ${supported.join(', ')}. Replace the layer or write a GraphAdapter for it.`,
    );
  }
}

/** A tensor whose shape does not fit where it is used. */
export class ShapeMismatchError extends NrmError {
  constructor(
    readonly what: string,
    readonly expected: readonly (number | null)[],
    readonly actual: readonly number[],
  ) {
    super(
      'SHAPE_MISMATCH',
      `${what} has shape [${actual.join(', ')}] but [${expected.map((d) => d ?? 'N').join(', ')}] is expected (N = any batch size).`,
    );
  }
}

/** A target index outside the target layer's output, or a bad target description. */
export class TargetOutOfRangeError extends NrmError {
  constructor(message: string) {
    super('TARGET_OUT_OF_RANGE', message);
  }
}

/** A layer name that the graph does not have. */
export class UnknownLayerError extends NrmError {
  constructor(
    readonly layer: string,
    readonly known: readonly string[],
  ) {
    super('UNKNOWN_LAYER', `Unknown layer '${layer}'; the model has: ${known.join(', ')}.`);
  }
}

/** A rule, composite, adapter or backend that is not registered. */
export class UnknownRegistryItemError extends NrmError {
  constructor(
    readonly kind: 'rule' | 'composite' | 'adapter' | 'backend',
    readonly id: string,
    readonly registered: readonly string[],
    readonly providedBy?: string,
  ) {
    super(
      'UNKNOWN_REGISTRY_ITEM',
      `Unknown ${kind} '${id}'; registered: ${registered.length ? registered.join(', ') : '(none)'}.` +
        (providedBy
          ? ` '${id}' is provided by ${providedBy}: install it and pass it to createRegistry([...]).`
          : ' No known package provides it.'),
    );
  }
}

/** `model.json` missing, unreadable or not a tfjs layers-model. */
export class ModelLoadError extends NrmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MODEL_LOAD', message, options);
  }
}

/** A weight file shorter than the manifest says. */
export class TruncatedWeightsError extends NrmError {
  constructor(
    readonly file: string,
    readonly expectedBytes: number,
    readonly actualBytes: number,
  ) {
    super(
      'TRUNCATED_WEIGHTS',
      `Weight file '${file}' has ${actualBytes} bytes but the manifest needs ${expectedBytes}; the file is truncated or does not belong to this model.json.`,
    );
  }
}

/** NaN or ±Inf in an input. */
export class NonFiniteInputError extends NrmError {
  constructor(
    readonly what: string,
    readonly count: number,
    readonly firstIndex: number,
  ) {
    super(
      'NON_FINITE_INPUT',
      `${what} contains ${count} NaN/Inf value(s) (first at flat index ${firstIndex}); clean the input before explaining it.`,
    );
  }
}

/** A bad option or argument (a message says which and what is allowed). */
export class InvalidArgumentError extends NrmError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** A `.npy` file that NRM cannot read. */
export class InvalidNpyError extends NrmError {
  constructor(message: string) {
    super('INVALID_NPY', message);
  }
}

/** One backend that was tried and why it cannot run here. */
export interface BackendAttempt {
  /** The backend id. */
  readonly backend: string;
  /** Why it cannot run here (one line, naming the fix). */
  readonly reason: string;
}

/**
 * A backend that cannot run here; or, from `Registry.selectBackend`, none of the preferred
 * backends can (then {@link BackendUnavailableError.tried} lists each one with its reason).
 */
export class BackendUnavailableError extends NrmError {
  /** Every backend tried, in order, with its reason (one entry when a single backend was asked for). */
  readonly tried: readonly BackendAttempt[];
  constructor(
    readonly backend: string,
    readonly reason: string,
    tried?: readonly BackendAttempt[],
  ) {
    super(
      'BACKEND_UNAVAILABLE',
      tried && tried.length > 1
        ? `None of the backends ${tried.map((t) => `'${t.backend}'`).join(', ')} is available here: ` +
            tried.map((t) => `'${t.backend}': ${t.reason}`).join('; ')
        : `Backend '${backend}' is not available here: ${reason}`,
    );
    this.tried = tried ?? [{ backend, reason }];
  }
}

/** What a {@link BackendLimitError} reports. */
export interface BackendLimitDetails {
  /** The backend id, e.g. `webgpu`. */
  readonly backend: string;
  /** The limit that was hit, e.g. `maxStorageBufferBindingSize` or `synchronous reads`. */
  readonly limit: string;
  /** What hit it, as the start of a sentence: "a float32 tensor of shape [25088, 4096] (411 MB) exceeds …". */
  readonly what: string;
  /** The fixes, most practical first (joined with "; or " in the message). */
  readonly fixes: readonly string[];
  /** The shape of the tensor that hit the limit, when a tensor did. */
  readonly shape?: readonly number[];
  /** The tensor's size in bytes, when a tensor hit a size limit. */
  readonly bytes?: number;
  /** The limit in bytes, for size limits. */
  readonly limitBytes?: number;
}

/**
 * Something a backend cannot do correctly here, raised instead of computing garbage: e.g. a
 * tensor larger than a WebGPU adapter's `maxStorageBufferBindingSize` (software drivers return
 * wrong values without an error), or a synchronous read where the runtime has none.
 */
export class BackendLimitError extends NrmError {
  /** The backend id. */
  readonly backend: string;
  /** The limit that was hit. */
  readonly limit: string;
  /** The fixes, most practical first. */
  readonly fixes: readonly string[];
  /** The shape of the tensor that hit the limit, when a tensor did. */
  readonly shape?: readonly number[];
  /** The tensor's size in bytes, for size limits. */
  readonly bytes?: number;
  /** The limit in bytes, for size limits. */
  readonly limitBytes?: number;
  constructor(details: BackendLimitDetails) {
    super('BACKEND_LIMIT', `Backend '${details.backend}': ${details.what}. Fix: ${details.fixes.join('; or ')}.`);
    this.backend = details.backend;
    this.limit = details.limit;
    this.fixes = details.fixes;
    if (details.shape !== undefined) this.shape = details.shape;
    if (details.bytes !== undefined) this.bytes = details.bytes;
    if (details.limitBytes !== undefined) this.limitBytes = details.limitBytes;
  }
}
