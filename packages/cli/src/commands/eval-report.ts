/** The whole `nrm eval` report (JSON), and how the score table reads it. */
import { formatSignificant } from '@nrm/viz';
import { perturbationColumns, perturbationKey, SCORE_COLUMNS, type RunReport, type ScoreColumn } from './eval-run.js';

/** What `--json` writes. */
export interface EvalReport {
  readonly tool: 'nrm eval';
  readonly version: 1;
  /** The tfjs backend the numbers were computed on. */
  readonly backend: string;
  /** The settings shared by every run. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly runs: RunReport[];
}

/** The score columns that have a value in some variant of the run. */
export function columnsOf(run: RunReport): ScoreColumn[] {
  const [first, ...rest] = SCORE_COLUMNS;
  const all = [first!, ...perturbationColumns(run.metrics, run.replacements), ...rest];
  return all.filter((col) => run.variants.some((v) => col.key in v.scores));
}

/** A score as text (3 significant digits; NaN as '—'). */
export function formatScore(value: number | null | undefined): string {
  if (value === undefined) return '';
  if (value === null || !Number.isFinite(value)) return '—';
  return formatSignificant(value);
}

/** The id of the best non-control variant for a column (undefined when the column has no direction). */
export function bestOf(run: RunReport, col: ScoreColumn): string | undefined {
  if (col.better === 'none') return undefined;
  let best: { id: string; value: number } | undefined;
  for (const v of run.variants) {
    const value = v.scores[col.key];
    if (v.kind === 'control' || value === undefined || value === null || !Number.isFinite(value)) continue;
    if (!best || (col.better === 'lower' ? value < best.value : value > best.value)) best = { id: v.id, value };
  }
  return best?.id;
}

/** The random-order AUC of a perturbation column of the run, if any. */
export function randomOrderScore(run: RunReport, col: ScoreColumn): number | undefined {
  return run.randomOrder?.find((c) => perturbationKey(c.metric, c.replacement) === col.key)?.meanAuc;
}
