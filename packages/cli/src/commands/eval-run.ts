/**
 * One evaluation run of `nrm eval`: a model, a data set, every variant, every metric. Returns the
 * numbers for the JSON report and the example heatmaps for the HTML report.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createExplainer, InvalidArgumentError, type Composite, type CompositeOptions, type Graph, type Registry } from '@nrm/core';
import {
  completeness,
  coverage,
  edgeHeatmaps,
  gini,
  heatmapErrors,
  heatmapOf,
  modelParameterRandomisation,
  pixelFlipping,
  pointingGame,
  randomHeatmaps,
  regionPerturbation,
  relevanceMassAccuracy,
  type PerturbationResult,
  type Replacement,
} from '@nrm/eval';
import { withFilters, formatFilterSpec } from '@nrm/rules-filter';
import type { EvalData } from './eval-data.js';
import { MASK_METRICS, type EvalMetric, type Variant } from './eval-options.js';

/** How a run is done. */
export interface EvalSettings {
  readonly metrics: readonly EvalMetric[];
  /** Whether the metrics were named one by one (else mask metrics are skipped on data without masks). */
  readonly explicitMetrics: boolean;
  readonly variants: readonly Variant[];
  /** Whose output is explained: the true label (default when the data has labels) or the prediction. */
  readonly target: 'label' | 'predicted' | 'auto';
  readonly steps: number;
  readonly patchSize: number;
  /** What removed pixels become; the perturbation metrics run once per entry. */
  readonly replacements: readonly { readonly text: string; readonly value: Replacement }[];
  readonly seed: number;
  readonly tolerance: number;
  readonly coverageThreshold: number;
  /** Perturbed images per model call. */
  readonly batchSize: number;
  /** Images per explanation call. */
  readonly explainBatch: number;
  /** Images the randomisation test re-explains (the first ones). */
  readonly mprtSamples: number;
  /** Example heatmaps kept for the HTML report. */
  readonly examples: number;
  readonly compositeOptions: CompositeOptions;
}

/** A mean perturbation curve, for one metric and replacement. */
export interface CurveReport {
  readonly metric: 'pixel-flipping' | 'region-perturbation';
  /** The replacement, as given on the command line (e.g. `constant:0`). */
  readonly replacement: string;
  readonly fractions: number[];
  readonly meanCurve: number[];
  readonly meanAuc: number;
}

/** The score key of a perturbation metric with a replacement, e.g. `pixel-flipping constant:0`. */
export function perturbationKey(metric: string, replacement: string): string {
  return `${metric} ${replacement}`;
}

/** The numbers of one variant. */
export interface VariantReport {
  readonly id: string;
  readonly kind: 'composite' | 'control';
  readonly composite?: string;
  readonly filters?: string[];
  /** Wall-clock seconds for this variant's explanations and metrics. */
  readonly seconds: number;
  /** One number per score column (see {@link SCORE_COLUMNS}); NaN becomes `null` in JSON. */
  readonly scores: Record<string, number>;
  readonly completeness?: { layer: string; meanAbsoluteRelativeError: number }[];
  /** Mean curves of the perturbation metrics, one per metric and replacement. */
  readonly perturbation?: CurveReport[];
  readonly mprt?: { layer: string; spearman: number; spearmanAbs: number; ssim: number }[];
}

/** The numbers of one run. */
export interface RunReport {
  readonly model: string;
  readonly data: string;
  readonly count: number;
  readonly inputShape: number[];
  readonly outputLayer: string;
  readonly target: 'label' | 'predicted';
  readonly classNames?: readonly string[];
  /** Accuracy of the model on the data (when it has labels). */
  readonly accuracy?: number;
  readonly masks: boolean;
  readonly metrics: EvalMetric[];
  /** The perturbation curves of a seeded random order (the chance baseline). */
  /** The replacements of the perturbation metrics. */
  readonly replacements: string[];
  /** The perturbation curves of a seeded random order (the chance baseline), per metric and replacement. */
  readonly randomOrder?: CurveReport[];
  readonly variants: VariantReport[];
}

/** Host copies of what the HTML report shows. */
export interface RunExamples {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly names: string[];
  readonly images: Float32Array[];
  /** Variant id → one heatmap `[H·W]` per example image. */
  readonly heatmaps: Record<string, Float32Array[]>;
  /** Variant id → the first example's heatmap with every layer randomised (MPRT). */
  readonly randomised: Record<string, Float32Array>;
}

/** A score column of the report table. */
export interface ScoreColumn {
  readonly key: string;
  readonly metric: EvalMetric;
  readonly label: string;
  /** Which direction is better, or `'none'`. */
  readonly better: 'lower' | 'higher' | 'none';
  readonly description: string;
}

/**
 * The score columns other than the perturbation AUCs (which get one column per replacement, see
 * {@link perturbationColumns}), in table order.
 */
export const SCORE_COLUMNS: readonly ScoreColumn[] = [
  { key: 'completeness', metric: 'completeness', label: 'conservation error', better: 'lower', description: 'mean |Σ R_input − Σ seed| / |Σ seed|' },
  { key: 'mass-accuracy', metric: 'mass-accuracy', label: 'mass accuracy', better: 'higher', description: 'share of the positive relevance inside the mask' },
  { key: 'pointing-game', metric: 'pointing-game', label: 'pointing game', better: 'higher', description: 'share of images whose heatmap maximum is on the mask' },
  { key: 'coverage', metric: 'coverage', label: 'coverage', better: 'higher', description: 'share of the mask covered by R ≥ τ·max R' },
  { key: 'coverage-precision', metric: 'coverage', label: 'coverage precision', better: 'higher', description: 'share of the thresholded heatmap on the mask' },
  { key: 'mse', metric: 'mse', label: 'MSE vs mask', better: 'lower', description: 'MSE between the positive shares of heatmap and mask' },
  { key: 'smape', metric: 'smape', label: 'SMAPE vs mask (%)', better: 'lower', description: 'SMAPE between the positive shares of heatmap and mask' },
  { key: 'sparseness', metric: 'sparseness', label: 'Gini', better: 'none', description: 'Gini index of |R| (1 = one pixel holds everything)' },
  { key: 'mprt-spearman', metric: 'mprt', label: 'MPRT ρ (all random)', better: 'lower', description: 'rank correlation with the original heatmap once every layer is randomised' },
  { key: 'mprt-ssim', metric: 'mprt', label: 'MPRT SSIM (all random)', better: 'lower', description: 'SSIM with the original heatmap once every layer is randomised' },
];

/** The perturbation AUC columns of a run: per metric, one per replacement. */
export function perturbationColumns(metrics: readonly EvalMetric[], replacements: readonly string[]): ScoreColumn[] {
  return (['pixel-flipping', 'region-perturbation'] as const)
    .filter((m) => metrics.includes(m))
    .flatMap((metric) =>
      replacements.map((r) => ({
        key: perturbationKey(metric, r),
        metric,
        label: `${metric} AUC (${r})`,
        better: 'lower' as const,
        description:
          metric === 'pixel-flipping'
            ? `area under the target output as the most relevant pixels become ${r}`
            : `area under the target output as the most relevant square patches become ${r}`,
      })),
    );
}

/** A composite that binds no rule: the engine's plain gradient; used only for forward passes. */
const FORWARD_ONLY: Composite = { specificationVersion: 'v1', id: 'forward-only', description: 'Forward passes of nrm eval.', rules: [] };

function mean(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.NaN;
}

function curveOf(metric: CurveReport['metric'], replacement: string, result: PerturbationResult): CurveReport {
  return { metric, replacement, fractions: result.fractions, meanCurve: result.meanCurve, meanAuc: result.meanAuc };
}

function rows(t: tf.Tensor, start: number, count: number): tf.Tensor {
  return tf.slice(t, [start, ...Array<number>(t.rank - 1).fill(0)], [count, ...Array<number>(t.rank - 1).fill(-1)]);
}

/** Runs every variant and metric on one model and data set. */
export async function runEvaluation(args: {
  readonly modelPath: string;
  readonly graph: Graph;
  readonly registry: Registry;
  readonly data: EvalData;
  readonly settings: EvalSettings;
  readonly progress?: ((what: string) => void) | undefined;
}): Promise<{ report: RunReport; examples: RunExamples }> {
  const { graph, registry, data, settings } = args;
  const progress = args.progress ?? (() => undefined);
  const [n, h, w, c] = data.shape;
  const metrics = data.masks || settings.explicitMetrics ? settings.metrics : settings.metrics.filter((m) => !MASK_METRICS.has(m));
  const needsMasks = metrics.filter((m) => MASK_METRICS.has(m));
  if (needsMasks.length > 0 && !data.masks) {
    throw new InvalidArgumentError(`--data '${data.source}' has no ground-truth masks, which ${needsMasks.join(', ')} need; drop them from --metrics or give masks.`);
  }
  const outputLayer = Object.entries(graph.layers).find(([, id]) => id === graph.outputs[0])?.[0] ?? graph.outputs[0]!;
  const inputNonNegative = data.images.every((v) => v >= 0);
  const x = tf.tensor4d(data.images, [n, h, w, c]);
  const masks = data.masks ? tf.tensor3d(Float32Array.from(data.masks), [n, h, w]) : undefined;
  const forward = createExplainer({ graph, registry, composite: FORWARD_ONLY });
  try {
    // Predictions, in batches.
    progress('forward');
    const logits: number[][] = [];
    for (let start = 0; start < n; start += settings.explainBatch) {
      const out = tf.tidy(() => {
        const o = forward.forward(rows(x, start, Math.min(settings.explainBatch, n - start)));
        return tf.reshape(o, [o.shape[0]!, -1]);
      });
      const values = (await out.array()) as number[][];
      out.dispose();
      logits.push(...values);
    }
    const classes = logits[0]!.length;
    const predictions = logits.map((row) => row.indexOf(Math.max(...row)));
    const useLabels = settings.target === 'label' || (settings.target === 'auto' && data.labels !== undefined);
    if (useLabels && !data.labels) throw new InvalidArgumentError(`--target label: --data '${data.source}' has no labels; use --target predicted.`);
    const targets = useLabels ? Array.from(data.labels!) : predictions;
    const bad = targets.findIndex((t) => t >= classes);
    if (bad >= 0) throw new InvalidArgumentError(`Label ${targets[bad]} of image ${bad} is not a class of the model's ${classes} outputs.`);
    const accuracy = data.labels ? predictions.filter((p, i) => p === data.labels![i]).length / n : undefined;
    const model = (t: tf.Tensor) => forward.forward(t);
    const input = (heatmaps: tf.Tensor | null) => ({ model, inputs: x, heatmaps, targets });
    /** Every requested perturbation metric with every replacement, in the given order. */
    const perturbations = async (heatmaps: tf.Tensor | null, order: 'most-relevant-first' | 'random'): Promise<CurveReport[]> => {
      const curves: CurveReport[] = [];
      for (const metric of ['pixel-flipping', 'region-perturbation'] as const) {
        if (!metrics.includes(metric)) continue;
        for (const { text, value } of settings.replacements) {
          const options = { steps: settings.steps, replacement: value, seed: settings.seed, batchSize: settings.batchSize, order };
          const result =
            metric === 'pixel-flipping'
              ? await pixelFlipping(input(heatmaps), options)
              : await regionPerturbation(input(heatmaps), { ...options, patchSize: settings.patchSize });
          curves.push(curveOf(metric, text, result));
        }
      }
      return curves;
    };

    let randomOrder: CurveReport[] | undefined;
    if (metrics.includes('pixel-flipping') || metrics.includes('region-perturbation')) {
      progress('random order');
      randomOrder = await perturbations(null, 'random');
    }

    const record = metrics.includes('completeness')
      ? graph.nodes.filter((node) => node.id !== graph.input).flatMap((node) => Object.entries(graph.layers).filter(([, id]) => id === node.id).map(([name]) => name))
      : [];
    const exampleCount = Math.min(settings.examples, n);
    const examples: RunExamples = {
      height: h,
      width: w,
      channels: c,
      names: data.names.slice(0, exampleCount),
      images: Array.from({ length: exampleCount }, (_, i) => data.images.slice(i * h * w * c, (i + 1) * h * w * c)),
      heatmaps: {},
      randomised: {},
    };

    /** Heatmaps `[N, H, W]` of a variant on a graph (and, with `record`, the conservation per layer). */
    const heatmapsFor = async (variant: Variant, g: Graph, inputs: tf.Tensor, rowTargets: readonly number[], withRecord: readonly string[]) => {
      const count = inputs.shape[0]!;
      if (variant.kind === 'control') {
        return { heat: variant.control === 'edges' ? edgeHeatmaps(inputs) : randomHeatmaps([count, h, w], settings.seed), conservation: undefined };
      }
      const outgoing = variant.filters.length ? withFilters(variant.filters, g) : undefined;
      const explainer = createExplainer({ graph: g, registry, composite: variant.composite, options: settings.compositeOptions, inputNonNegative, outgoing });
      const parts: tf.Tensor[] = [];
      const perLayer = new Map<string, number[]>();
      try {
        for (let start = 0; start < count; start += settings.explainBatch) {
          const size = Math.min(settings.explainBatch, count - start);
          const batch = rows(inputs, start, size);
          try {
            const explanation = explainer.explain(batch, {
              target: { layer: outputLayer, indices: rowTargets.slice(start, start + size).map((t) => [t]) },
              ...(withRecord.length ? { record: withRecord } : {}),
            });
            try {
              parts.push(heatmapOf(explanation.input));
              if (withRecord.length) {
                for (const layer of (await completeness(explanation, { layers: withRecord })).layers) {
                  perLayer.set(layer.layer, [...(perLayer.get(layer.layer) ?? []), ...layer.relativeError]);
                }
              }
            } finally {
              explanation.dispose();
            }
          } finally {
            batch.dispose();
          }
        }
        const heat = parts.length === 1 ? parts[0]! : tf.concat(parts);
        if (parts.length > 1) tf.dispose(parts);
        const conservation = withRecord.length
          ? // The model input first, then the recorded layers from the input side to the output.
            [...perLayer]
              .sort(([a], [b]) => Number(b === 'input') - Number(a === 'input'))
              .map(([layer, errors]) => ({ layer, meanAbsoluteRelativeError: mean(errors.map(Math.abs)) }))
          : undefined;
        return { heat: heat as tf.Tensor3D, conservation };
      } catch (error) {
        tf.dispose(parts);
        throw error;
      } finally {
        explainer.dispose();
      }
    };

    const variants: VariantReport[] = [];
    for (const variant of settings.variants) {
      const started = performance.now();
      const scores: Record<string, number> = {};
      const report: {
        completeness?: VariantReport['completeness'];
        perturbation?: CurveReport[];
        mprt?: VariantReport['mprt'];
      } = {};
      progress(`${variant.id}: explaining`);
      const withRecord = variant.kind === 'composite' ? record : [];
      const { heat, conservation } = await heatmapsFor(variant, graph, x, targets, withRecord);
      try {
        const values = (await heat.data()) as Float32Array;
        examples.heatmaps[variant.id] = Array.from({ length: exampleCount }, (_, i) => values.slice(i * h * w, (i + 1) * h * w));
        if (metrics.includes('pixel-flipping') || metrics.includes('region-perturbation')) {
          progress(`${variant.id}: perturbation`);
          report.perturbation = await perturbations(heat, 'most-relevant-first');
          for (const c of report.perturbation) scores[perturbationKey(c.metric, c.replacement)] = c.meanAuc;
        }
        for (const metric of metrics) {
          if (metric === 'pixel-flipping' || metric === 'region-perturbation') continue;
          progress(`${variant.id}: ${metric}`);
          switch (metric) {
            case 'completeness':
              if (conservation) {
                report.completeness = conservation;
                scores['completeness'] = conservation.find((l) => l.layer === 'input')?.meanAbsoluteRelativeError ?? Number.NaN;
              }
              break;
            case 'mass-accuracy':
              scores['mass-accuracy'] = mean(await relevanceMassAccuracy(heat, masks!));
              break;
            case 'pointing-game':
              scores['pointing-game'] = mean(await pointingGame(heat, masks!, { tolerance: settings.tolerance }));
              break;
            case 'coverage': {
              const r = await coverage(heat, masks!, { threshold: settings.coverageThreshold });
              scores['coverage'] = mean(r.coverage);
              scores['coverage-precision'] = mean(r.precision);
              break;
            }
            case 'mse':
              scores['mse'] = mean((await heatmapErrors(heat, masks!)).mse);
              break;
            case 'smape':
              scores['smape'] = mean((await heatmapErrors(heat, masks!)).smape);
              break;
            case 'sparseness':
              scores['sparseness'] = mean(await gini(heat));
              break;
            case 'mprt': {
              const m = Math.min(settings.mprtSamples, n);
              const subset = rows(x, 0, m);
              try {
                const result = await modelParameterRandomisation(
                  graph,
                  subset,
                  async (g, inputs) => (await heatmapsFor(variant, g, inputs, targets.slice(0, m), [])).heat,
                  { seed: settings.seed, keepHeatmaps: true },
                );
                report.mprt = result.stages.map((s) => ({ layer: s.layer, spearman: s.mean.spearman, spearmanAbs: s.mean.spearmanAbs, ssim: s.mean.ssim }));
                const last = result.stages[result.stages.length - 1];
                scores['mprt-spearman'] = last?.mean.spearman ?? Number.NaN;
                scores['mprt-ssim'] = last?.mean.ssim ?? Number.NaN;
                if (last?.heatmaps && exampleCount > 0) examples.randomised[variant.id] = last.heatmaps.slice(0, h * w);
              } finally {
                subset.dispose();
              }
              break;
            }
          }
        }
      } finally {
        heat.dispose();
      }
      variants.push({
        id: variant.id,
        kind: variant.kind,
        ...(variant.kind === 'composite' ? { composite: variant.composite.id, filters: variant.filters.map(formatFilterSpec) } : {}),
        seconds: (performance.now() - started) / 1000,
        scores,
        ...report,
      });
    }
    return {
      report: {
        model: args.modelPath,
        data: data.source,
        count: n,
        inputShape: [h, w, c],
        outputLayer,
        target: useLabels ? 'label' : 'predicted',
        ...(data.classNames ? { classNames: data.classNames } : {}),
        ...(accuracy !== undefined ? { accuracy } : {}),
        masks: data.masks !== undefined,
        metrics: [...metrics],
        replacements: settings.replacements.map((r) => r.text),
        ...(randomOrder ? { randomOrder } : {}),
        variants,
      },
      examples,
    };
  } finally {
    x.dispose();
    masks?.dispose();
    forward.dispose();
  }
}
