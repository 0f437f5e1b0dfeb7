import { parseArgs } from 'node:util';
import type { Registry } from '@nrm/core';
import { allOf, channels, createMeasure, type MeasureFlag, type NeuronSet } from '@nrm/measure';
import { joinNegativeNumbers } from '../args/join-negative-numbers.js';
import { groupByLayer } from '../args/parse-layer-list.js';
import { UsageError } from '../args/usage-error.js';
import type { CliIo } from '../cli-io.js';
import { EXPLANATION_OPTIONS, NUMBER_FLAGS, openExplanation, parseExplanationSpec, required } from '../explanation-options.js';
import { writeJsonFile } from '../io.js';

export const MEASURE_USAGE = `nrm measure --model M --input X --composite C --target <layer>:<i,…> --layer L [--given <layer>:<c1,c2,…> …] [--json out.json]
  the normalized relevance of every channel of L (each layer sums to 1; the raw total is reported),
  and, with --given (one event per flag, all of them jointly), the conditional relevance of every
  channel of L given those channels; μ(given) ≈ 0 gives NaN and a 'given-zero' flag`;

/** `nrm measure`: channel marginals of a layer, and conditionals given channel events. */
export async function measureCommand(argv: readonly string[], registry: Registry, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeNumbers(argv, NUMBER_FLAGS),
    options: { ...EXPLANATION_OPTIONS, layer: { type: 'string' }, given: { type: 'string', multiple: true }, json: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(MEASURE_USAGE);
    return 0;
  }
  const spec = parseExplanationSpec('measure', values, registry);
  const layer = required('measure', values, 'layer');
  const givenEvents = [...groupByLayer('--given', values.given ?? [])].map(([givenLayer, lists]) => {
    if (lists.length !== 1) throw new UsageError(`--given names layer '${givenLayer}' twice; put its channels in one flag.`);
    return { layer: givenLayer, channels: lists[0]! };
  });

  const context = await openExplanation(spec, registry, io);
  const measure = createMeasure(context.explainer, context.input, context.target);
  try {
    const marginals = measure.channelMarginals(layer);
    const marginalData = await marginals.read();
    marginals.dispose();
    const flags: MeasureFlag[] = [...marginalData.flags];
    const report: Record<string, unknown> = { layer, total: marginalData.total, channels: marginalData.value };
    if (givenEvents.length > 0) {
      const given: NeuronSet[] = givenEvents.map((g) => channels(g.layer, g.channels));
      const count = measure.layer(layer).shape.at(-1)!;
      const givenValue = measure.joint(...given);
      const givenData = await givenValue.read();
      givenValue.dispose();
      const conditional: number[][] = Array.from({ length: context.input.shape[0]! }, () => []);
      for (let c = 0; c < count; c++) {
        const value = measure.conditional(channels(layer, [c]), ...given);
        const data = await value.read();
        value.dispose();
        data.value.forEach((v, n) => conditional[n]!.push(v));
        if (c === 0) flags.push(...data.flags);
      }
      const all = measure.conditional(allOf(layer), ...given);
      const allData = await all.read();
      all.dispose();
      report['given'] = { events: givenEvents, value: givenData.value, raw: givenData.raw };
      report['conditional'] = conditional;
      // Σ_c μ(c | given): 1 when relevance is conserved between the layers, else the absorbed share.
      report['conditionalMass'] = allData.value;
    }
    report['flags'] = flags;
    const text = `${JSON.stringify(report, jsonNumbers, 2)}\n`;
    if (values.json) {
      await writeJsonFile(values.json, text);
      io.stdout(`wrote ${values.json}`);
    } else {
      io.stdout(text.trimEnd());
    }
  } finally {
    measure.dispose();
    context.dispose();
  }
  return 0;
}

/** JSON has no NaN: write it as null (the flags say why). */
export function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
