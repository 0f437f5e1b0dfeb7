/**
 * What a layer translator sees of one Keras layer: its name, class, configuration, inputs and
 * output shape, plus readers that validate configuration values and throw
 * {@link UnsupportedLayerError} for what NRM cannot represent.
 */
import { UnsupportedLayerError, type IRNode, type Padding } from '@nrm/core';
import { SUPPORTED_LAYER_CLASSES } from './supported-layers.js';
import type { Layer } from './tfjs-types.js';

/** An input of a layer: the id of the IR node that produces it, and its shape without batch axis. */
export interface LayerInput {
  /** Id of the producing IR node (the producing Keras layer's name). */
  readonly id: string;
  /** Its output shape without the batch axis. */
  readonly shape: readonly number[];
}

/** A fused activation NRM can represent (`linear` means none). */
export type FusedActivation = 'relu' | 'linear' | 'softmax';

/** A layer being translated. */
export class LayerContext {
  /** Keras layer name (the IR node id). */
  readonly name: string;
  /** Keras class name, e.g. `Conv2D`. */
  readonly className: string;
  /** The layer's configuration as tfjs serializes it (camelCase keys). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Output shape without the batch axis. */
  readonly outputShape: readonly number[];

  /**
   * @param layer - The tfjs layer.
   * @param inputs - Its inputs, in the order of its inbound node.
   * @throws UnsupportedLayerError when its output shape is not one fully known shape.
   */
  constructor(
    /** The tfjs layer. */
    readonly layer: Layer,
    /** Its inputs, in order. */
    readonly inputs: readonly LayerInput[],
  ) {
    this.name = layer.name;
    this.className = layer.getClassName();
    this.config = layer.getConfig() as Record<string, unknown>;
    this.outputShape = this.readOutputShape();
  }

  /** The `source` field of the IR node. */
  get source(): NonNullable<IRNode['source']> {
    return { name: this.name, className: this.className };
  }

  /** Throws an {@link UnsupportedLayerError} for this layer. */
  unsupported(detail?: string): never {
    throw new UnsupportedLayerError(this.name, this.className, SUPPORTED_LAYER_CLASSES, detail);
  }

  /** The only input, checked to have `rank` dimensions (without batch) when given. */
  singleInput(rank?: number): LayerInput {
    const [input] = this.inputs;
    if (this.inputs.length !== 1 || input === undefined) this.unsupported(`expected one input, got ${this.inputs.length}`);
    if (rank !== undefined && input.shape.length !== rank) {
      this.unsupported(`expected an input of rank ${rank} without the batch axis, got [${input.shape.join(', ')}]`);
    }
    return input;
  }

  /** A number-or-pair option (`kernelSize: 3` or `[3, 3]`) as a pair; `fallback` when absent. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const value = this.config[key];
    if ((value === undefined || value === null) && fallback) return fallback;
    if (typeof value === 'number') return [value, value];
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
      return [value[0] as number, value[1] as number];
    }
    return this.unsupported(`${key} ${JSON.stringify(value)} is not a number or a pair of numbers`);
  }

  /** A numeric option. */
  number(key: string, fallback?: number): number {
    const value = this.config[key];
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== 'number') return this.unsupported(`${key} ${JSON.stringify(value)} is not a number`);
    return value;
  }

  /** A boolean option. */
  boolean(key: string, fallback: boolean): boolean {
    const value = this.config[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') return this.unsupported(`${key} ${JSON.stringify(value)} is not a boolean`);
    return value;
  }

  /** `same` or `valid` (`causal` and others are rejected). */
  padding(): Padding {
    const value = this.config['padding'] ?? 'valid';
    if (value === 'same' || value === 'valid') return value;
    return this.unsupported(`padding '${String(value)}'; only 'same' and 'valid' are supported`);
  }

  /** Rejects `channels_first` (NRM works channels-last, NHWC). */
  requireChannelsLast(): void {
    const value = this.config['dataFormat'];
    if (value === undefined || value === null || value === 'channelsLast' || value === 'channels_last') return;
    this.unsupported(`data format '${String(value)}'; only channels_last (NHWC) is supported`);
  }

  /** The fused activation (`activation` option), restricted to relu, linear and softmax. */
  activation(): FusedActivation {
    const value = this.config['activation'] ?? 'linear';
    if (value === 'relu' || value === 'linear' || value === 'softmax') return value;
    return this.unsupported(`activation '${String(value)}'; only relu, linear and softmax are supported`);
  }

  private readOutputShape(): number[] {
    const shape: unknown = this.layer.outputShape;
    if (!Array.isArray(shape) || shape.some((d) => Array.isArray(d))) {
      this.unsupported('layers with several outputs are not supported');
    }
    const dims = (shape as unknown[]).slice(1);
    if (!dims.every((d): d is number => typeof d === 'number' && Number.isInteger(d) && d > 0)) {
      this.unsupported(
        `output shape [${(shape as unknown[]).map((d) => d ?? 'null').join(', ')}] has unknown dimensions; ` +
          'give the model a fixed input shape',
      );
    }
    return dims;
  }
}
