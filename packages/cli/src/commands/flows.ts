import { parseArgs } from 'node:util';
import type { Registry } from '@nrm/core';
import { createMeasure } from '@nrm/measure';
import { flowDiagramSvg } from '@nrm/viz';
import { joinNegativeNumbers } from '../args/join-negative-numbers.js';
import { UsageError } from '../args/usage-error.js';
import type { CliIo } from '../cli-io.js';
import { EXPLANATION_OPTIONS, NUMBER_FLAGS, openExplanation, parseExplanationSpec, required } from '../explanation-options.js';
import { writeJsonFile } from '../io.js';
import { jsonNumbers } from './measure.js';

export const FLOWS_USAGE = `nrm flows --model M --input X --composite C --target <layer>:<i,…> --layers a,b,c [--top-k K] [--chunk N] [--json flows.json] [--svg flows.svg]
  channel flow matrices J[a][b] = μ(a@lower, b@upper) between consecutive layers (one batched
  backward walk per pair), their row and column sums, and the top-K channel walks with their
  Markov score and exact joint measure; --svg draws sample 0 as a layered diagram`;

/** `nrm flows`: relevance flows between channels of consecutive layers, and the top walks. */
export async function flowsCommand(argv: readonly string[], registry: Registry, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeNumbers(argv, NUMBER_FLAGS),
    options: {
      ...EXPLANATION_OPTIONS,
      layers: { type: 'string' },
      'top-k': { type: 'string', default: '5' },
      chunk: { type: 'string', default: '16' },
      json: { type: 'string' },
      svg: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(FLOWS_USAGE);
    return 0;
  }
  const spec = parseExplanationSpec('flows', values, registry);
  const layers = required('flows', values, 'layers').split(',').map((l) => l.trim()).filter(Boolean);
  if (layers.length < 2) throw new UsageError('--layers needs at least two layers, e.g. --layers conv2,conv3,conv4.');
  const topK = Number(values['top-k']);
  const chunk = Number(values.chunk);
  if (!Number.isInteger(topK) || topK < 1) throw new UsageError(`--top-k '${values['top-k']}' must be a positive integer.`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new UsageError(`--chunk '${values.chunk}' must be a positive integer.`);
  if (!values.json && !values.svg) throw new UsageError('flows needs --json <file> and/or --svg <file>.');

  const context = await openExplanation(spec, registry, io);
  const measure = createMeasure(context.explainer, context.input, context.target, { chunkSize: chunk });
  let text: string;
  let svg: string | undefined;
  try {
    const flows = measure.flows(layers, { topK, chunkSize: chunk });
    const data = await flows.read();
    flows.dispose();
    text = `${JSON.stringify(data, jsonNumbers, 2)}\n`;
    if (values.svg) {
      const n = 0;
      const byLayer = new Map<string, number[]>();
      data.pairs.forEach((p) => {
        byLayer.set(p.lower, p.lowerMarginal[n]!);
        byLayer.set(p.upper, p.upperMarginal[n]!);
      });
      svg = flowDiagramSvg({
        title: `Relevance flows, sample ${n}: ${context.target.layer}[${context.target.indices[0]!.join(',')}] (${spec.composite.id})`,
        layers: data.layers.map((name) => ({
          name,
          channels: (byLayer.get(name) ?? []).map((value, index) => ({ index, value: Number.isFinite(value) ? value : 0 })),
        })),
        flows: data.pairs.flatMap((p) =>
          p.J[n]!.flatMap((row, a) => row.map((value, b) => ({ lower: p.lower, upper: p.upper, from: a, to: b, value: Number.isFinite(value) ? value : 0 }))),
        ),
        walks: (data.walks[n] ?? []).map((w) => ({ channels: [...w.channels], value: w.joint })),
      });
    }
  } finally {
    measure.dispose();
    context.dispose();
  }
  const written: string[] = [];
  if (values.json) {
    await writeJsonFile(values.json, text);
    written.push(values.json);
  }
  if (values.svg && svg !== undefined) {
    await writeJsonFile(values.svg, svg);
    written.push(values.svg);
  }
  io.stdout(`wrote ${written.join(', ')}`);
  return 0;
}
