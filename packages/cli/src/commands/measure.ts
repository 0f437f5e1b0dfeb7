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
      const batch = context.input.shape[0]!;
      let conditional: number[][];
      let conditionalMass: number[];
      const at = measure.layer(layer).position;
      if (given.every((g, i) => measure.layer(givenEvents[i]!.layer).position >= at)) {
        // The layer is at or below every given event: one backward walk gives the joint relevance
        // of every channel at once, μ(c | given) = (Σ_{i∈c} R^{layer | given}_i / Z_layer) / μ(given).
        const heatmap = measure.conditionalHeatmap(given, { layer });
        const data = await heatmap.read();
        heatmap.dispose();
        flags.push(...data.flags);
        const perSample = data.raw.length / batch;
        const zero = new Set(data.flags.filter((f) => f.kind === 'given-zero' || f.kind === 'total-zero').map((f) => f.sample));
        conditional = Array.from({ length: batch }, (_, n) => {
          const sums = new Array<number>(count).fill(0);
          for (let i = 0; i < perSample; i++) sums[i % count]! += data.raw[n * perSample + i]!;
          return sums.map((v) => (zero.has(n) ? Number.NaN : v / data.total[n]! / data.given[n]!));
        });
        conditionalMass = data.mass.map((m, n) => (zero.has(n) ? Number.NaN : m / data.given[n]!));
      } else {
        // A given event lies below the layer: the lowest event differs per channel, one walk each.
        conditional = Array.from({ length: batch }, () => []);
        for (let c = 0; c < count; c++) {
          const value = measure.conditional(channels(layer, [c]), ...given);
          const data = await value.read();
          value.dispose();
          data.value.forEach((v, n) => conditional[n]!.push(v));
          if (c === 0) flags.push(...data.flags);
        }
        const all = measure.conditional(allOf(layer), ...given);
        conditionalMass = (await all.read()).value;
        all.dispose();
      }
      report['given'] = { events: givenEvents, value: givenData.value, raw: givenData.raw };
      report['conditional'] = conditional;
      // Σ_c μ(c | given): 1 when relevance is conserved between the layers, else the absorbed share.
      report['conditionalMass'] = conditionalMass;
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
