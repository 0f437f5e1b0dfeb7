/**
 * Errors of the measure package. They extend {@link InvalidArgumentError} (code `INVALID_ARGUMENT`),
 * so code that catches `NrmError` or checks `error.code` treats them like the engine's own.
 */
import { InvalidArgumentError } from '@nrm/core';

/** Neuron sets from different layers were combined (`union`, `intersection`, `perSample`). */
export class LayerMismatchError extends InvalidArgumentError {
  constructor(
    readonly operation: string,
    readonly layers: readonly string[],
  ) {
    super(
      `${operation} needs every set on the same layer, but got sets on layers ${layers.map((l) => `'${l}'`).join(' and ')}; ` +
        'combine sets of one layer, or use joint(...) for events on several layers.',
    );
  }
}

/** A neuron set, condition or flow layer on a layer that is not below (or at) the target layer. */
export class NotBelowTargetError extends InvalidArgumentError {
  constructor(
    readonly layer: string,
    readonly targetLayer: string,
  ) {
    super(
      `Layer '${layer}' is not below the target layer '${targetLayer}': no relevance of this target flows through it. ` +
        'Use layers between the input and the target.',
    );
  }
}
