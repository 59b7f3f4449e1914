/**
 * Rows for the hyperparameter views: each run's resolved config values for the keys that vary between runs,
 * its final value of one metric, and seed groups (runs whose configs differ only in `seed`). Columns are read
 * generically from `config.json`, so grid keys, search-space keys and `--set` overrides all count.
 * @module
 */
import type { RunData, SeriesPoint } from "../results/read_results.ts";
import { formatValue, SEED_KEY } from "./grid_view.ts";
import { finalValues } from "./final_values.ts";
import { thin } from "./curve_rows.ts";

/** A run's resolved config (else its grid values, for a run that has not written `config.json`). */
export function runConfig(run: RunData): Record<string, unknown> {
  return (run.config?.config as Record<string, unknown> | undefined) ?? run.gridValues;
}

/**
 * The config keys whose values differ between the runs that have them, `seed` left out, in first-seen order. A
 * key a run lacks is not a value of it: a run known by its grid values only (not started, or its `config.json`
 * unreadable) does not make every other key of the resolved configs look swept.
 * @param runs The runs.
 * @returns The swept hyperparameters.
 */
export function sweptKeys(runs: readonly RunData[]): string[] {
  const configs = runs.map(runConfig);
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].filter((k) => k !== SEED_KEY);
  return keys.filter((k) => new Set(configs.flatMap((c) => c[k] === undefined ? [] : [JSON.stringify(c[k])])).size > 1);
}

/** How a hyperparameter's axis is drawn. */
export type AxisKind = "log" | "linear" | "category";

/**
 * The axis of a key: `log` for a learning rate (`lr`, `lrD`, `lrG`, `…LearningRate`) or positive numbers that
 * span more than two orders of magnitude, `linear` for other numbers, `category` for anything else.
 * @param key The config key.
 * @param values Its values over the runs.
 */
export function axisKind(key: string, values: readonly unknown[]): AxisKind {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length === 0 || !present.every((v) => typeof v === "number" && Number.isFinite(v))) return "category";
  const nums = present as number[];
  const positive = nums.every((v) => v > 0);
  if (positive && (/^lr|learningrate/i.test(key) || Math.max(...nums) / Math.min(...nums) > 100)) return "log";
  return "linear";
}

/** One run's point on one axis of the parallel coordinates. */
export interface ParallelRow {
  run: string;
  /** The axis: a key, or the metric's name last. */
  axis: string;
  /** Position along the axis, 0 (bottom) to 1 (top). */
  pos: number;
  /** The value as text (for tooltips). */
  text: string;
  /** The run's final metric value (colour), or null. */
  metric: number | null;
  state: string;
  /** Diverged, failed, pruned or collapsed: drawn faded and dashed. */
  stopped: boolean;
}

/** A labelled tick on one axis. */
export interface ParallelTick {
  axis: string;
  pos: number;
  text: string;
}

/** The states drawn as not having reached the end normally. */
export const STOPPED_STATES: readonly string[] = ["diverged", "failed", "pruned", "collapsed"];

function positions(kind: AxisKind, values: readonly unknown[]): { pos: (v: unknown) => number; ticks: ParallelTick[] } {
  if (kind === "category") {
    const labels = [...new Set(values.map((v) => formatValue(v ?? "—")))].sort();
    const at = (t: string) => labels.length === 1 ? 0.5 : labels.indexOf(t) / (labels.length - 1);
    return {
      pos: (v) => at(formatValue(v ?? "—")),
      ticks: labels.map((t) => ({ axis: "", pos: at(t), text: t })),
    };
  }
  const f = kind === "log" ? Math.log10 : (x: number) => x;
  const nums = values.filter((v): v is number => typeof v === "number");
  const lo = Math.min(...nums.map(f));
  const hi = Math.max(...nums.map(f));
  const at = (x: number) => hi === lo ? 0.5 : (f(x) - lo) / (hi - lo);
  const distinct = [...new Set(nums)].sort((a, b) => a - b);
  const shown = distinct.length <= 6 ? distinct : [distinct[0]!, distinct[distinct.length - 1]!];
  return {
    pos: (v) => typeof v === "number" ? at(v) : 0,
    ticks: shown.map((x) => ({ axis: "", pos: at(x), text: formatValue(x) })),
  };
}

/**
 * The parallel-coordinates rows: one line per run across an axis per swept key and one for `metric` (runs without
 * a final value of it sit at the bottom of that axis with `metric: null`).
 * @param runs The runs.
 * @param keys The swept keys (axes, in order).
 * @param metric The metric of the last axis and the colour.
 */
export function parallelRows(
  runs: readonly RunData[],
  keys: readonly string[],
  metric: string,
): { rows: ParallelRow[]; ticks: ParallelTick[] } {
  const rows: ParallelRow[] = [];
  const ticks: ParallelTick[] = [];
  const finals = runs.map((r) => finalValues(r)[metric] ?? null);
  const configs = runs.map(runConfig);
  const axes = keys.map((k) => ({ axis: k, values: configs.map((c) => c[k]) }));
  const metricValues = finals.filter((v): v is number => v !== null);
  for (const { axis, values } of axes) {
    const p = positions(axisKind(axis, values), values);
    ticks.push(...p.ticks.map((t) => ({ ...t, axis })));
    runs.forEach((run, i) => {
      rows.push(row(run, axis, p.pos(values[i]), formatValue(values[i] ?? "—"), finals[i] ?? null));
    });
  }
  if (metricValues.length > 0) {
    const p = positions("linear", metricValues);
    ticks.push(...p.ticks.map((t) => ({ ...t, axis: metric })));
    runs.forEach((run, i) => {
      const v = finals[i] ?? null;
      rows.push(row(run, metric, v === null ? 0 : p.pos(v), v === null ? "no value" : formatValue(v), v));
    });
  }
  return { rows, ticks };
}

function row(run: RunData, axis: string, pos: number, text: string, metric: number | null): ParallelRow {
  return { run: run.id, axis, pos, text, metric, state: run.state, stopped: STOPPED_STATES.includes(run.state) };
}

/** One run's final metric against one swept key. */
export interface ScatterRow {
  run: string;
  key: string;
  /** The key's value: a number on numeric axes, else its label. */
  x: number | string;
  value: number;
  state: string;
  /** Every swept value of the run, `lr=0.001 · beta1=0.5`. */
  label: string;
}

/**
 * Rows of the metric-vs-hyperparameter scatter: for each swept key, each run with a final value of `metric` (and,
 * on a numeric axis, a number for the key: a run without one has no place on it).
 * @param runs The runs.
 * @param keys The swept keys.
 * @param metric The metric on the y axis.
 */
export function scatterRows(runs: readonly RunData[], keys: readonly string[], metric: string): ScatterRow[] {
  const configs = runs.map(runConfig);
  const kinds = new Map(keys.map((k) => [k, axisKind(k, configs.map((c) => c[k]))]));
  const rows: ScatterRow[] = [];
  runs.forEach((run, i) => {
    const value = finalValues(run)[metric];
    if (value === undefined) return;
    const config = configs[i] ?? {};
    const label = keys.map((k) => `${k}=${formatValue(config[k] ?? "—")}`).join(" · ");
    for (const key of keys) {
      const v = config[key];
      if (kinds.get(key) === "category") {
        rows.push({ run: run.id, key, x: formatValue(v ?? "—"), value, state: run.state, label });
      } else if (typeof v === "number" && Number.isFinite(v)) {
        rows.push({ run: run.id, key, x: v, value, state: run.state, label });
      }
    }
  });
  return rows;
}

/** Mean and range over the seeds of one config at one step. */
export interface BandRow {
  /** The config's swept values, `lr=0.001 · beta1=0.5` (the run id when only the seed varies). */
  group: string;
  metric: string;
  step: number;
  mean: number;
  lo: number;
  hi: number;
  /** Seeds with a value at this step. */
  n: number;
}

/**
 * Groups of runs whose resolved configs are equal but for `seed`: only groups of two or more, each labelled by the
 * fewest swept keys that tell the groups apart (all the swept keys when there is one group).
 * @param runs The runs.
 * @returns Group label → its runs.
 */
export function seedGroups(runs: readonly RunData[]): Map<string, RunData[]> {
  const byConfig = new Map<string, RunData[]>();
  for (const run of runs) {
    const { [SEED_KEY]: _seed, ...rest } = runConfig(run);
    const id = JSON.stringify(Object.entries(rest).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
    byConfig.set(id, [...(byConfig.get(id) ?? []), run]);
  }
  const groups = [...byConfig.values()].filter((g) => g.length >= 2);
  const configs = groups.map((g) => runConfig(g[0]!));
  const keys = configs.length >= 2 ? tellingKeys(configs, sweptKeys(runs)) : sweptKeys(runs);
  const label = (config: Record<string, unknown>) =>
    keys.map((k) => `${k}=${formatValue(config[k] ?? "—")}`).join(" · ") || "all runs";
  return new Map(groups.map((g, i) => [label(configs[i]!), g]));
}

/**
 * The fewest of `keys` whose values tell `configs` apart (a study's groups differ in many keys, one or two name
 * them: dataset and loss), picked greedily, each time the key that separates the most (a named value before a
 * number), and given in `keys`' order.
 */
function tellingKeys(configs: readonly Record<string, unknown>[], keys: readonly string[]): string[] {
  const distinct = (ks: readonly string[]) => new Set(configs.map((c) => JSON.stringify(ks.map((k) => c[k])))).size;
  const chosen: string[] = [];
  while (distinct(chosen) < configs.length) {
    const left = keys.filter((k) => !chosen.includes(k));
    if (left.length === 0) break;
    // ties go to a named choice (dataset, loss) over a number, then to the first key
    const score = (k: string) =>
      2 * distinct([...chosen, k]) + (configs.every((c) => typeof c[k] === "string") ? 1 : 0);
    const best = left.reduce((a, b) => score(b) > score(a) ? b : a);
    chosen.push(best);
  }
  return keys.filter((k) => chosen.includes(k));
}

/**
 * Mean ± range bands over seeds: for each seed group and metric, at each step some seed logged, the mean, least
 * and greatest value of the seeds that logged it there.
 * @param groups From {@linkcode seedGroups}.
 * @param metrics Field → display name, with the lines they come from.
 * @param maxPoints Most steps per band (thinned evenly, the last kept).
 */
export function bandRows(
  groups: ReadonlyMap<string, readonly RunData[]>,
  metrics: ReadonlyArray<{ field: string; name: string; source: "steps" | "evals" }>,
  maxPoints = 300,
): BandRow[] {
  const rows: BandRow[] = [];
  for (const [group, runs] of groups) {
    for (const { field, name, source } of metrics) {
      const byStep = new Map<number, number[]>();
      for (const run of runs) {
        const points: SeriesPoint[] = source === "evals" ? run.evals : run.steps.length > 0 ? run.steps : run.epochs;
        for (const p of points) {
          const v = p.values[field];
          if (v === undefined) continue;
          byStep.set(p.step, [...(byStep.get(p.step) ?? []), v]);
        }
      }
      const steps = [...byStep.keys()].sort((a, b) => a - b);
      for (const step of thin(steps, maxPoints)) {
        const vs = byStep.get(step)!;
        const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
        rows.push({ group, metric: name, step, mean, lo: Math.min(...vs), hi: Math.max(...vs), n: vs.length });
      }
    }
  }
  return rows;
}
