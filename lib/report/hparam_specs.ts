/**
 * Vega-Lite specs of the hyperparameter views: parallel coordinates, final metric against each swept key, curves
 * as mean ± range over seeds, the rungs of successive halving, and a search's trials and expected best per cell.
 * @module
 */
import { CHART_CONFIG, type ChartSpec } from "./specs.ts";
import type { AxisKind, BandRow, ParallelRow, ParallelTick, ScatterRow } from "./hparam_rows.ts";
import type { RungRow } from "./rung_view.ts";
import type { BudgetRow, CellKeys, TrialRow } from "./search_budget.ts";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Colour of the final metric: brighter is better. */
function metricColor(metric: string, better: "lower" | "higher" | null): Record<string, unknown> {
  return {
    field: "metric",
    type: "quantitative",
    title: better === null ? metric : `${metric} (${better} is better)`,
    scale: { scheme: "viridis", reverse: better === "lower" },
  };
}

/**
 * Parallel coordinates: one vertical axis per swept key and one for the final metric, one line per run coloured
 * by the metric; diverged, failed, pruned and collapsed runs dashed and faded, runs without a value grey.
 *
 * @param rows From `parallelRows`.
 * @param ticks The labelled values of each axis.
 * @param axes The axes, left to right.
 * @param metric The metric (last axis and colour).
 * @param better Which way the metric is better.
 * @returns A Vega-Lite spec.
 */
export function parallelSpec(
  rows: readonly ParallelRow[],
  ticks: readonly ParallelTick[],
  axes: readonly string[],
  metric: string,
  better: "lower" | "higher" | null,
): ChartSpec {
  const x = { field: "axis", type: "nominal", sort: axes, title: null, axis: { orient: "top", labelAngle: 0 } };
  const y = { field: "pos", type: "quantitative", axis: null, scale: { domain: [0, 1] } };
  const width = Math.max(300, Math.min(1100, 150 * axes.length));
  return {
    $schema: SCHEMA,
    width,
    height: 260,
    layer: [
      {
        data: { values: rows },
        layer: [
          {
            transform: [{ filter: "datum.metric === null" }],
            mark: { type: "line", color: "#bbb", strokeWidth: 1.2 },
            encoding: {
              x,
              y,
              detail: { field: "run" },
              strokeDash: {
                field: "stopped",
                type: "nominal",
                title: "stopped early",
                scale: { domain: [false, true], range: [[1, 0], [4, 3]] },
              },
            },
          },
          {
            transform: [{ filter: "datum.metric !== null" }],
            mark: { type: "line", strokeWidth: 1.8 },
            encoding: {
              x,
              y,
              detail: { field: "run" },
              color: metricColor(metric, better),
              opacity: {
                field: "stopped",
                type: "nominal",
                title: "stopped early",
                scale: { domain: [false, true], range: [0.9, 0.35] },
                legend: { labelExpr: "datum.label === 'true' ? 'diverged / failed / pruned / collapsed' : 'other'" },
              },
              strokeDash: {
                field: "stopped",
                type: "nominal",
                title: "stopped early",
                scale: { domain: [false, true], range: [[1, 0], [4, 3]] },
                legend: { labelExpr: "datum.label === 'true' ? 'diverged / failed / pruned / collapsed' : 'other'" },
              },
            },
          },
          {
            mark: { type: "point", filled: true, size: 22, color: "#555" },
            encoding: {
              x,
              y,
              tooltip: [
                { field: "run", title: "run" },
                { field: "axis", title: "axis" },
                { field: "text", title: "value" },
                { field: "state", title: "status" },
              ],
            },
          },
        ],
      },
      {
        data: { values: ticks },
        layer: [
          {
            mark: { type: "rule", color: "#888" },
            encoding: { x },
          },
          {
            mark: { type: "text", align: "right", dx: -5, fontSize: 10, color: "#333" },
            encoding: { x, y, text: { field: "text" } },
          },
        ],
      },
    ],
    config: CHART_CONFIG,
  };
}

/**
 * The final metric against each swept key, one panel per key (log x for learning rates and keys spanning orders
 * of magnitude), points shaped by run status.
 *
 * @param rows From `scatterRows`.
 * @param keys The keys, one panel each.
 * @param kinds Each key's axis.
 * @param metric The y axis.
 * @param better Which way the metric is better.
 * @returns A Vega-Lite spec.
 */
export function scatterSpec(
  rows: readonly ScatterRow[],
  keys: readonly string[],
  kinds: ReadonlyMap<string, AxisKind>,
  metric: string,
  better: "lower" | "higher" | null,
): ChartSpec {
  const states = [...new Set(rows.map((r) => r.state))].sort();
  const panels = keys.map((key) => {
    const kind = kinds.get(key) ?? "category";
    const values = [...new Set(rows.filter((r) => r.key === key).map((r) => r.x))].sort((a, b) => +a - +b);
    // a few swept values: label exactly those (a log axis would otherwise crowd its decades with ticks)
    const axis = values.length <= 5
      ? { values, format: ".4~g", grid: false }
      : { format: ".4~g", tickCount: 5, grid: kind !== "log" };
    const x = kind === "category" ? { field: "x", type: "ordinal", title: key, axis: { labelAngle: 0 } } : {
      field: "x",
      type: "quantitative",
      title: kind === "log" ? `${key} (log scale)` : key,
      scale: { type: kind, zero: false, nice: false, padding: 12 },
      axis,
    };
    return {
      width: 220,
      height: 170,
      transform: [{ filter: { field: "key", equal: key } }],
      mark: { type: "point", filled: true, size: 55, opacity: 0.85 },
      encoding: {
        x,
        y: {
          field: "value",
          type: "quantitative",
          title: better === null ? metric : `${metric} (${better} is better)`,
          scale: { zero: false, padding: 8 },
        },
        color: { field: "state", type: "nominal", title: "status", scale: { domain: states, scheme: "tableau10" } },
        shape: { field: "state", type: "nominal", title: "status", scale: { domain: states } },
        tooltip: [
          { field: "label", title: "run" },
          { field: "value", type: "quantitative", title: metric, format: ".4~g" },
          { field: "state", title: "status" },
        ],
      },
    };
  });
  return {
    $schema: SCHEMA,
    data: { values: rows },
    hconcat: panels,
    resolve: { scale: { y: "shared" } },
    config: CHART_CONFIG,
  };
}

/**
 * Curves aggregated over seeds: the mean as a line and the least-to-greatest range as a band, one panel row per
 * metric, one colour per config.
 *
 * @param rows From `bandRows`.
 * @param metrics The metric names, one panel row each.
 * @returns A Vega-Lite spec.
 */
export function bandSpec(rows: readonly BandRow[], metrics: readonly string[]): ChartSpec {
  const groups = [...new Set(rows.map((r) => r.group))];
  const color = {
    field: "group",
    type: "nominal",
    title: "config (seeds pooled)",
    scale: { domain: groups, scheme: "tableau10" },
  };
  const parts = metrics.map((metric, i) => ({
    width: 700,
    height: 150,
    transform: [{ filter: { field: "metric", equal: metric } }],
    layer: [
      {
        mark: { type: "area", opacity: 0.22 },
        encoding: {
          x: { field: "step", type: "quantitative", title: i === metrics.length - 1 ? "step" : null },
          y: { field: "lo", type: "quantitative", title: metric, scale: { zero: false } },
          y2: { field: "hi" },
          color,
        },
      },
      {
        mark: { type: "line", strokeWidth: 1.8 },
        encoding: {
          x: { field: "step", type: "quantitative" },
          y: { field: "mean", type: "quantitative" },
          color,
          tooltip: [
            { field: "group", title: "config" },
            { field: "step", type: "quantitative", title: "step" },
            { field: "mean", type: "quantitative", title: "mean", format: ".4~g" },
            { field: "lo", type: "quantitative", title: "least", format: ".4~g" },
            { field: "hi", type: "quantitative", title: "greatest", format: ".4~g" },
            { field: "n", type: "quantitative", title: "seeds" },
          ],
        },
      },
    ],
  }));
  return {
    $schema: SCHEMA,
    data: { values: rows },
    vconcat: parts,
    spacing: 12,
    resolve: { scale: { color: "shared" } },
    config: CHART_CONFIG,
  };
}

/**
 * The metric at each rung per trial: a line per trial across the rungs (steps), survivors in colour, trials that
 * stand pruned faded grey; crosses mark prune decisions, rings the promotions.
 *
 * @param rows From `rungRows`.
 * @param metric The pruning metric.
 * @param better Which way it is better.
 * @returns A Vega-Lite spec.
 */
export function rungSpec(
  rows: readonly RungRow[],
  metric: string,
  better: "lower" | "higher" | null,
): ChartSpec {
  const rungs = [...new Set(rows.map((r) => r.rung))].sort((a, b) => a - b);
  const x = { field: "rung", type: "ordinal", sort: rungs, title: "rung (steps)", axis: { labelAngle: 0 } };
  const y = {
    field: "value",
    type: "quantitative",
    title: better === null ? metric : `${metric} (${better} is better)`,
    scale: { zero: false, padding: 8 },
  };
  const standing = {
    field: "pruned",
    type: "nominal",
    title: "trial",
    scale: { domain: [false, true], range: ["#1f77b4", "#aaaaaa"] },
    legend: { labelExpr: "datum.label === 'true' ? 'pruned' : 'goes on'" },
  };
  const faded = { field: "pruned", type: "nominal", scale: { domain: [false, true], range: [0.9, 0.3] }, legend: null };
  return {
    $schema: SCHEMA,
    data: { values: rows },
    width: Math.max(260, 130 * rungs.length),
    height: 220,
    transform: [{ filter: "datum.value !== null" }],
    layer: [
      {
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: { x, y, detail: { field: "run" }, color: standing, opacity: faded },
      },
      {
        mark: { type: "point", filled: true, size: 45 },
        encoding: {
          x,
          y,
          color: standing,
          opacity: faded,
          shape: {
            field: "decision",
            type: "nominal",
            title: "decision",
            scale: { domain: ["continue", "prune"], range: ["circle", "cross"] },
          },
          tooltip: [
            { field: "run", title: "trial" },
            { field: "rung", title: "rung" },
            { field: "value", type: "quantitative", title: metric, format: ".4~g" },
            { field: "decision", title: "decision" },
            { field: "promoted", title: "promoted later" },
            { field: "rank", title: "rank (0 = best)" },
            { field: "of", title: "of runs at the rung" },
          ],
        },
      },
      {
        transform: [{ filter: "datum.promoted" }],
        mark: { type: "point", filled: false, size: 160, strokeWidth: 1.5, color: "#d62728" },
        encoding: { x, y },
      },
    ],
    config: CHART_CONFIG,
  };
}

/** A trial's colour by how it stands (red for the rest: diverged, failed, collapsed). */
const TRIAL_COLORS: Record<string, string> = {
  completed: "#1f77b4",
  pruned: "#aaaaaa",
  running: "#ff7f0e",
  stopped: "#ff7f0e",
};

/** A faceted view's column header: named by the facet key, or no header when there is one column. */
function cellColumns(columnKey: string | null, rows: readonly { column: string }[]): Record<string, unknown> {
  const columns = [...new Set(rows.map((r) => r.column))];
  return {
    field: "column",
    type: "nominal",
    sort: columns,
    title: columnKey,
    ...(columnKey === null ? { header: { labels: false, title: null } } : {}),
  };
}

/**
 * The final metric over a search's trials, per cell: a box (least to greatest, quartiles, median) per row of each
 * column, and each trial a point coloured by how it ended (a pruned trial at its last evaluation).
 *
 * @param rows From `trialRows`.
 * @param keys The grid keys charted as columns and rows.
 * @param metric The metric.
 * @param better Which way it is better.
 * @returns A Vega-Lite spec.
 */
export function trialSpec(
  rows: readonly TrialRow[],
  keys: CellKeys,
  metric: string,
  better: "lower" | "higher" | null,
): ChartSpec {
  const rowOrder = [...new Set(rows.map((r) => r.row))];
  const y = { field: "row", type: "nominal", sort: rowOrder, title: keys.rows.join(" · ") || null };
  const x = {
    field: "value",
    type: "quantitative",
    title: better === null ? metric : `${metric} (${better} is better)`,
    scale: { zero: false, nice: true },
  };
  const states = [...new Set(rows.map((r) => r.state))].sort();
  const range = states.map((s) => TRIAL_COLORS[s] ?? "#d62728");
  return {
    $schema: SCHEMA,
    data: { values: rows },
    facet: { column: cellColumns(keys.column, rows) },
    spec: {
      width: 320,
      height: Math.max(60, 24 * rowOrder.length),
      layer: [
        {
          mark: { type: "boxplot", extent: "min-max", size: 14, color: "#c6dbef", median: { color: "#08519c" } },
          encoding: { x, y },
        },
        {
          mark: { type: "point", filled: true, size: 32, opacity: 0.85 },
          encoding: {
            x,
            y,
            color: { field: "state", type: "nominal", title: "trial", scale: { domain: states, range } },
            tooltip: [
              { field: "run", title: "run" },
              { field: "searched", title: "values" },
              { field: "value", type: "quantitative", title: metric, format: ".4~g" },
              { field: "state", title: "status" },
            ],
          },
        },
      ],
    },
    resolve: { scale: { x: "independent" } },
    config: CHART_CONFIG,
  };
}

/**
 * The expected best metric of k trials against k, per cell: a line per row of each column, with a band from the
 * 10% to the 90% quantile of the best of k.
 *
 * @param rows From `budgetRows`.
 * @param keys The grid keys charted as columns and rows.
 * @param metric The metric.
 * @param better Which way it is better.
 * @returns A Vega-Lite spec.
 */
export function budgetSpec(
  rows: readonly BudgetRow[],
  keys: CellKeys,
  metric: string,
  better: "lower" | "higher" | null,
): ChartSpec {
  const rowOrder = [...new Set(rows.map((r) => r.row))];
  const color = {
    field: "row",
    type: "nominal",
    title: keys.rows.join(" · ") || "cell",
    scale: { domain: rowOrder, scheme: "tableau10" },
  };
  const x = { field: "k", type: "quantitative", title: "trials (k)", axis: { tickMinStep: 1 } };
  return {
    $schema: SCHEMA,
    data: { values: rows },
    facet: { column: cellColumns(keys.column, rows) },
    spec: {
      width: 320,
      height: 200,
      layer: [
        {
          mark: { type: "area", opacity: 0.12 },
          encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color },
        },
        {
          mark: { type: "line", point: true, strokeWidth: 1.8 },
          encoding: {
            x,
            y: {
              field: "expected",
              type: "quantitative",
              title: `expected best ${metric}${better === null ? "" : ` (${better} is better)`}`,
              scale: { zero: false },
            },
            color,
            tooltip: [
              { field: "row", title: keys.rows.join(" · ") || "cell" },
              { field: "k", type: "quantitative", title: "trials" },
              { field: "expected", type: "quantitative", title: "expected best", format: ".4~g" },
              { field: "lo", type: "quantitative", title: "10%", format: ".4~g" },
              { field: "hi", type: "quantitative", title: "90%", format: ".4~g" },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
    config: CHART_CONFIG,
  };
}
