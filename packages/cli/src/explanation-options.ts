/**
 * The options every explaining command shares (`--model --input --composite --target --epsilon
 * --low --high --backend`): parsed and validated before the slow work, then the model loaded, the
 * backend started and an explainer built.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, type Composite, type Explainer, type Graph, type Registry } from '@nrm/core';
import { loadGraph } from '@nrm/graph';
import { parseFilterSpec, withFilters, type FilterSpec } from '@nrm/rules-filter';
import { groupByLayer } from './args/parse-layer-list.js';
import { parseNumber } from './args/parse-number.js';
import { UsageError } from './args/usage-error.js';
import { useBackend } from './backend.js';
import type { CliIo } from './cli-io.js';
import { readNpyFile } from './io.js';

/** `parseArgs` options shared by explain, measure and flows. */
export const EXPLANATION_OPTIONS = {
  model: { type: 'string' },
  input: { type: 'string' },
  composite: { type: 'string' },
  target: { type: 'string', multiple: true },
  epsilon: { type: 'string' },
  low: { type: 'string' },
  high: { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  filter: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Flags whose value may be a negative number (`--low -1`). */
export const NUMBER_FLAGS = ['--low', '--high', '--epsilon'] as const;

/** What the shared options parse to, before anything is loaded. */
export interface ExplanationSpec {
  readonly command: string;
  readonly modelPath: string;
  readonly inputPath: string;
  readonly composite: Composite;
  readonly options: { epsilon?: number; low?: number; high?: number };
  readonly targetLayer: string;
  readonly indices: number[][];
  readonly backend: string;
  /** Amplitude filters (`--filter clamp:0,0.2@conv3,conv4`), applied to the relevance leaving those layers. */
  readonly filters?: readonly FilterSpec[];
}

/** A string option that must be there. */
export function required(command: string, values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`${command} needs --${name}; see 'nrm ${command} --help'.`);
  return v;
}

/** Validates the shared options (names and numbers) without loading anything. */
export function parseExplanationSpec(command: string, values: Record<string, unknown>, registry: Registry): ExplanationSpec {
  const modelPath = required(command, values, 'model');
  const inputPath = required(command, values, 'input');
  const compositeName = required(command, values, 'composite');
  const targets = groupByLayer('--target', (values['target'] as string[] | undefined) ?? []);
  if (targets.size !== 1) {
    throw new UsageError(targets.size === 0 ? `${command} needs --target <layer>:<i,…>.` : 'All --target flags must name the same layer.');
  }
  const [[targetLayer, indices]] = [...targets] as [[string, number[][]]];
  const epsilon = parseNumber('--epsilon', values['epsilon'] as string | undefined);
  const low = parseNumber('--low', values['low'] as string | undefined);
  const high = parseNumber('--high', values['high'] as string | undefined);
  if ((low === undefined) !== (high === undefined)) throw new UsageError('--low and --high go together.');
  const composite = registry.composite(compositeName);
  if (composite.needsBounds && low === undefined) {
    throw new UsageError(`Composite '${compositeName}' needs the input bounds: --low <l> --high <h> (e.g. --low -1 --high 1).`);
  }
  const filters = ((values['filter'] as string[] | undefined) ?? []).map((text) => {
    try {
      return parseFilterSpec(text);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  return {
    command,
    filters,
    modelPath,
    inputPath,
    composite,
    options: { epsilon, low, high },
    targetLayer,
    indices,
    backend: (values['backend'] as string | undefined) ?? 'wasm',
  };
}

/** A loaded model, its explainer and the input, ready to explain; `dispose()` frees them. */
export interface ExplanationContext {
  readonly graph: Graph;
  readonly explainer: Explainer;
  readonly input: tf.Tensor;
  readonly target: { readonly layer: string; readonly indices: number[][] };
  dispose(): void;
}

/** Starts the backend, loads the model and the input, and builds the explainer. */
export async function openExplanation(spec: ExplanationSpec, registry: Registry, io: CliIo): Promise<ExplanationContext> {
  await useBackend(registry, spec.backend, (line) => io.stderr(`nrm: ${line}`));
  const graph = await loadGraph(spec.modelPath);
  for (const w of graph.warnings) io.stderr(`nrm: warning: ${w}`);
  const inputArray = await readNpyFile(spec.inputPath);
  const outgoing = spec.filters?.length ? withFilters(spec.filters, graph) : undefined;
  const explainer = createExplainer({ graph, registry, composite: spec.composite, options: spec.options, outgoing });
  const input = tf.tensor(inputArray.data, inputArray.shape as number[]);
  return {
    graph,
    explainer,
    input,
    target: { layer: spec.targetLayer, indices: spec.indices },
    dispose() {
      input.dispose();
      explainer.dispose();
    },
  };
}
