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
  | 'BACKEND_UNAVAILABLE';

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

/** A backend that cannot run here. */
export class BackendUnavailableError extends NrmError {
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super('BACKEND_UNAVAILABLE', `Backend '${backend}' is not available here: ${reason}`);
  }
}
