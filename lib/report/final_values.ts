/**
 * Final values of each run and their mean ± sd over seeds.
 * @module
 */
import type { RunData, RunState } from "../results/read_results.ts";
import { comboLabel, type GridView } from "./grid_view.ts";
import { STEP_NUMBERS } from "../results/step_numbers.ts";

/** Metrics from training lines every kind of GAN logs, in the order tables show them. */
export const TRAINING_METRICS = STEP_NUMBERS;

/**
 * The numbers the runs' training lines hold: the usual five first, then a kind's own (`dClassAcc`, `cycleL1`, …)
 * in the order they first appear; not the timings.
 */
export function trainingMetricNames(runs: readonly RunData[]): string[] {
  const seen = new Set<string>(TRAINING_METRICS);
  for (const r of runs) {
    for (const line of [...r.epochs.slice(-1), ...r.steps.slice(-1)]) {
      for (const k of Object.keys(line.values)) if (k !== "ms" && k !== "seconds") seen.add(k);
    }
  }
  return [...seen];
}

/** Run wall time from `status.json`, as a metric name. */
export const TIME_METRIC = "seconds";
/** Milliseconds per step from the last `step` line, as a metric name. */
export const SPEED_METRIC = "ms";

function last<T>(items: readonly T[]): T | undefined {
  return items[items.length - 1];
}

/**
 * A run's final values: the last epoch line's means (else the last step
 * line's), ms/step from the last step line, wall seconds, and the last value
 * of every field of its `eval` lines (prefixed `eval.` where a name clashes).
 *
 * @param run A run.
 * @returns Metric name → value.
 */
export function finalValues(run: RunData): Record<string, number> {
  const out: Record<string, number> = {};
  const train = last(run.epochs) ?? last(run.steps);
  if (train !== undefined) {
    for (const [k, v] of Object.entries(train.values)) {
      if (k !== "seconds" && k !== "ms") out[k] = v;
    }
  }
  const ms = last(run.steps)?.values.ms;
  if (ms !== undefined) out[SPEED_METRIC] = ms;
  if (run.status !== null && Number.isFinite(run.status.seconds)) {
    out[TIME_METRIC] = run.status.seconds;
  }
  const trainKeys = new Set(Object.keys(out));
  for (const e of run.evals) {
    for (const [k, v] of Object.entries(e.values)) {
      out[trainKeys.has(k) ? `eval.${k}` : k] = v;
    }
  }
  return out;
}

/** Names of the eval metrics any run logs, in first-seen order. */
export function evalMetricNames(runs: readonly RunData[]): string[] {
  const names = new Set<string>();
  for (const r of runs) {
    for (const e of r.evals) {
      for (const k of Object.keys(e.values)) names.add(k);
    }
  }
  return [...names];
}

/**
 * Every metric with a final value in some run: eval metrics first, then the
 * training metrics, speed and time, then anything else.
 *
 * @param runs The runs.
 * @returns Metric names.
 */
export function availableMetrics(runs: readonly RunData[]): string[] {
  const present = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(finalValues(r))) present.add(k);
  }
  const order = [
    ...evalMetricNames(runs),
    ...trainingMetricNames(runs),
    SPEED_METRIC,
    TIME_METRIC,
  ];
  const ordered = [...new Set(order)].filter((k) => present.has(k));
  const rest = [...present].filter((k) => !ordered.includes(k) && !order.includes(k));
  return [...ordered, ...rest.filter((k) => !ordered.includes(k))];
}

/** Mean, sample standard deviation and count. */
export interface Stat {
  mean: number;
  sd: number;
  n: number;
}

/** The runs of one grid point (all seeds), summarised. */
export interface GroupSummary {
  /** `lr=0.01 · noiseDim=10`, or `all` for a grid without compared keys. */
  label: string;
  /** Grid values of the compared keys. */
  gridValues: Record<string, unknown>;
  runs: RunData[];
  /** Runs per state. */
  states: Partial<Record<RunState, number>>;
  /** Stats over runs that completed, are running or stopped (finite values only). */
  stats: Record<string, Stat>;
}

function stat(values: number[]): Stat {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/**
 * Group runs by their compared grid values (seeds pooled) and summarise each
 * metric. Diverged, failed and pending runs are counted, not averaged.
 *
 * @param runs The runs, in grid order.
 * @param view The grid.
 * @returns One summary per grid point, in grid order.
 */
export function summarizeGroups(
  runs: readonly RunData[],
  view: GridView,
): GroupSummary[] {
  const groups = new Map<string, GroupSummary>();
  for (const run of runs) {
    const label = comboLabel(view.compare, run.gridValues);
    let g = groups.get(label);
    if (g === undefined) {
      const gridValues: Record<string, unknown> = {};
      for (const d of view.compare) gridValues[d.key] = run.gridValues[d.key];
      g = { label, gridValues, runs: [], states: {}, stats: {} };
      groups.set(label, g);
    }
    g.runs.push(run);
    g.states[run.state] = (g.states[run.state] ?? 0) + 1;
  }
  for (const g of groups.values()) {
    const pooled: Record<string, number[]> = {};
    for (const run of g.runs) {
      if (run.state !== "completed" && run.state !== "running" && run.state !== "stopped") continue;
      for (const [k, v] of Object.entries(finalValues(run))) {
        (pooled[k] ??= []).push(v);
      }
    }
    for (const [k, vs] of Object.entries(pooled)) g.stats[k] = stat(vs);
  }
  return [...groups.values()];
}
