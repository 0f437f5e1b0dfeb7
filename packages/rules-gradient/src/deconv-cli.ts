/**
 * The contract of `nrm deconv`, the command that projects a feature map to the input: its usage
 * text, its `parseArgs` options, and the validation of the parsed values. The CLI package wires it
 * to model loading and output writing; everything here is pure.
 */
import { InvalidArgumentError } from '@nrm/core';
import type { FeatureMapSelection } from './feature-map-seed.js';

/** `--method` values of `nrm deconv`. */
export type DeconvMethod = 'deconvnet' | 'guided';

/** `--method` → the composite id it runs. */
export const DECONV_COMPOSITES: Readonly<Record<DeconvMethod, string>> = Object.freeze({
  deconvnet: 'deconvnet',
  guided: 'guided-backprop',
});

/** The usage text of `nrm deconv`. */
export const DECONV_USAGE = `nrm deconv --model <dir>/model.json --input <x.npy> --layer <name> --channel <c> --png <out.png> [...]
  --layer <name>             the layer whose feature map is projected (its output, after its ReLU)
  --channel <c>              the channel (last axis) of that layer's output
  --position max|all|<i,j>   which activations: the strongest one of the channel (default, as
                             Zeiler & Fergus), the whole map, or the one at that spatial index
  --method deconvnet|guided  deconvnet (Zeiler & Fergus, default) or guided backprop
  --backend cpu|wasm         default wasm
  --out <projection.npy>     the projection at the input, the input's shape
  --png <out.png>            the projection as an image (0 = mid-gray); --out and/or --png`;

/** `node:util` `parseArgs` options of `nrm deconv` (strict, no positionals). */
export const DECONV_CLI_OPTIONS = {
  model: { type: 'string' },
  input: { type: 'string' },
  layer: { type: 'string' },
  channel: { type: 'string' },
  position: { type: 'string', default: 'max' },
  method: { type: 'string', default: 'deconvnet' },
  backend: { type: 'string', default: 'wasm' },
  out: { type: 'string' },
  png: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What `nrm deconv`'s command line means, validated, before anything is loaded. */
export interface DeconvCliArgs {
  /** `--model`: the `model.json` path. */
  readonly modelPath: string;
  /** `--input`: the `.npy` input path. */
  readonly inputPath: string;
  /** `--layer`: the layer whose feature map is projected. */
  readonly layer: string;
  /** `--channel`: the channel (last axis) of that layer's output. */
  readonly channel: number;
  /** `--position`: `'max'` (default), `'all'` or a spatial index (see {@link FeatureMapSelection}). */
  readonly position: NonNullable<FeatureMapSelection['position']>;
  /** `--method`: `deconvnet` (default) or `guided`. */
  readonly method: DeconvMethod;
  /** The composite to build the explainer with (`DECONV_COMPOSITES[method]`). */
  readonly composite: string;
  /** `--backend`: `cpu` or `wasm` (default). */
  readonly backend: string;
  /** `--out`: where the projection goes as `.npy`, if given. */
  readonly out: string | undefined;
  /** `--png`: where the projection goes as an image, if given. */
  readonly png: string | undefined;
}

function required(values: Readonly<Record<string, unknown>>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new InvalidArgumentError(`deconv needs --${name}; see 'nrm deconv --help'.`);
  return v;
}

function optional(values: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

const INTEGER = /^\d+$/;

/**
 * Validates the values `parseArgs({ options: DECONV_CLI_OPTIONS })` returned: the required flags,
 * `--channel` (a non-negative integer), `--position` (`max`, `all` or `i,j,…`), `--method`, and
 * at least one of `--out`/`--png`. Range checks against the layer happen later, in
 * {@link featureMapSeed}.
 *
 * @throws InvalidArgumentError naming the flag; the CLI reports it as a usage error (exit code 2).
 */
export function parseDeconvArgs(values: Readonly<Record<string, unknown>>): DeconvCliArgs {
  const modelPath = required(values, 'model');
  const inputPath = required(values, 'input');
  const layer = required(values, 'layer');
  const channelText = required(values, 'channel');
  if (!INTEGER.test(channelText)) throw new InvalidArgumentError(`--channel must be a non-negative integer, got '${channelText}'.`);
  const positionText = optional(values, 'position') ?? 'max';
  let position: DeconvCliArgs['position'];
  if (positionText === 'max' || positionText === 'all') {
    position = positionText;
  } else {
    const parts = positionText.split(',');
    if (!parts.every((p) => INTEGER.test(p))) {
      throw new InvalidArgumentError(`--position must be max, all or comma-separated non-negative integers (e.g. 3,4), got '${positionText}'.`);
    }
    position = parts.map(Number);
  }
  const methodText = optional(values, 'method') ?? 'deconvnet';
  if (!Object.hasOwn(DECONV_COMPOSITES, methodText)) {
    throw new InvalidArgumentError(`--method must be one of ${Object.keys(DECONV_COMPOSITES).join(', ')}, got '${methodText}'.`);
  }
  const method = methodText as DeconvMethod;
  const out = optional(values, 'out');
  const png = optional(values, 'png');
  if (out === undefined && png === undefined) throw new InvalidArgumentError('deconv needs --out <projection.npy> and/or --png <out.png>.');
  return {
    modelPath,
    inputPath,
    layer,
    channel: Number(channelText),
    position,
    method,
    composite: DECONV_COMPOSITES[method],
    backend: optional(values, 'backend') ?? 'wasm',
    out,
    png,
  };
}
