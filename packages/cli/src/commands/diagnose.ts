import { parseArgs } from 'node:util';
import type { Registry } from '@nrm/core';
import { diagnose, formatFilterSpec } from '@nrm/rules-filter';
import { joinNegativeNumbers } from '../args/join-negative-numbers.js';
import type { CliIo } from '../cli-io.js';
import { EXPLANATION_OPTIONS, NUMBER_FLAGS, openExplanation, parseExplanationSpec } from '../explanation-options.js';
import { writeJsonFile } from '../io.js';
import { jsonNumbers } from './measure.js';

export const DIAGNOSE_USAGE = `nrm diagnose --model M --input X --composite C --target <layer>:<i,…> [--layers a,b,…] [--filter …] [--json pmp.json]
  the percentile mean power of the relevance at each layer's output (default: every layer on the
  target's path), per sample: the mean of the top 20 % over the mean of the bottom 80 %, positive
  values and negative magnitudes separately, averaged (see @nrm/rules-filter)`;

/** `nrm diagnose`: percentile mean power per layer. */
export async function diagnoseCommand(argv: readonly string[], registry: Registry, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeNumbers(argv, NUMBER_FLAGS),
    options: { ...EXPLANATION_OPTIONS, layers: { type: 'string' }, json: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(DIAGNOSE_USAGE);
    return 0;
  }
  const spec = parseExplanationSpec('diagnose', values, registry);
  const context = await openExplanation(spec, registry, io);
  let report: Record<string, unknown>;
  try {
    const asked = values.layers?.split(',').map((l) => l.trim()).filter(Boolean);
    const targetNode = context.graph.layers[spec.targetLayer] ?? spec.targetLayer;
    const position = new Map(context.graph.nodes.map((n, i) => [n.id, i]));
    const layers =
      asked ??
      Object.entries(context.graph.layers)
        .filter(([, id]) => id !== context.graph.input && (position.get(id) ?? Infinity) <= (position.get(targetNode) ?? -1))
        .map(([name]) => name);
    const pmp = await diagnose(context.explainer, context.input, context.target, layers);
    report = { composite: spec.composite.id, target: context.target, filters: (spec.filters ?? []).map(formatFilterSpec), percentileMeanPower: pmp };
  } finally {
    context.dispose();
  }
  const text = `${JSON.stringify(report, jsonNumbers, 2)}\n`;
  if (values.json) {
    await writeJsonFile(values.json, text);
    io.stdout(`wrote ${values.json}`);
  } else {
    io.stdout(text.trimEnd());
  }
  return 0;
}
