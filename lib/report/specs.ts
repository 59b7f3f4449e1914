/**
 * Vega-Lite spec builders for the report's charts. Data is inlined; field
 * names are fixed or safe (`g0`, …), so no user text reaches an expression.
 * @module
 */
import type { CurveRow } from "./curve_rows.ts";
import type { ChartLayout, GridDim } from "./grid_view.ts";

/** A Vega-Lite top-level spec as plain JSON. */
export type ChartSpec = { $schema: string } & Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Font stack whose widths `text_metrics.ts` knows (Helvetica = Arial). */
export const FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif";

/** Shared look: fonts the measurer knows, light grid, left-aligned titles. */
export const CHART_CONFIG = {
  font: FONT,
  view: { stroke: "#ddd" },
  axis: {
    labelFontSize: 10,
    titleFontSize: 11,
    titleFontWeight: "normal",
    gridColor: "#eee",
    domainColor: "#888",
    tickColor: "#888",
  },
  header: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "bold" },
  legend: {
    labelFontSize: 10,
    titleFontSize: 11,
    labelLimit: 260,
    symbolOpacity: 1,
    symbolStrokeWidth: 2.5,
  },
  title: { fontSize: 13, anchor: "start", subtitleColor: "#555" },
} as const;

const PANEL = { width: 230, height: 150 };

/** Panels share about `total` pixels between the facet's columns, within [min, max] each. */
function panelSize(facet: GridDim | null, total: number, min: typeof PANEL, max: typeof PANEL): typeof PANEL {
  const width = Math.round(Math.min(max.width, Math.max(min.width, total / (facet?.labels.length ?? 1))));
  const t = (width - min.width) / Math.max(1, max.width - min.width);
  return { width, height: Math.round(min.height + t * (max.height - min.height)) };
}

function isNumericLabels(labels: readonly string[]): boolean {
  return labels.length > 0 &&
    labels.every((l) => l !== "" && Number.isFinite(Number(l)));
}

/** Colour encoding for a grid key: ordered palette for numbers, categorical otherwise. */
function colorEncoding(
  layout: ChartLayout,
  seeds: GridDim | null,
  rows: readonly CurveRow[],
): Record<string, unknown> {
  const dim = layout.color ?? seeds;
  if (dim === null) {
    const runs = [...new Set(rows.map((r) => r.color))];
    return {
      field: "color",
      type: "nominal",
      title: "run",
      scale: { domain: runs, scheme: "tableau10" },
      legend: runs.length > 1 ? {} : null,
    };
  }
  const title = dim.key;
  const domain = layout.color !== null ? dim.labels : dim.labels.map((l) => `${dim.key}=${l}`);
  const scale = layout.color !== null && isNumericLabels(dim.labels)
    ? { domain, scheme: { name: "viridis", extent: [0, 0.85] } }
    : { domain, scheme: "tableau10" };
  return { field: "color", type: "ordinal", title, scale };
}

function dashEncoding(layout: ChartLayout, rows: readonly CurveRow[]) {
  if (layout.rest.length === 0) return {};
  const values = [...new Set(rows.map((r) => r.rest))];
  return {
    strokeDash: {
      field: "rest",
      type: "nominal",
      title: layout.rest.map((d) => d.key).join(" · "),
      scale: { domain: values },
    },
  };
}

function columnFacet(dim: GridDim | null) {
  return dim === null ? null : {
    field: dim.field,
    type: "ordinal",
    title: dim.key,
    sort: dim.labels,
    header: { labelFontWeight: "normal" },
  };
}

function facetOrPlain(
  inner: Record<string, unknown>,
  column: Record<string, unknown> | null,
  row: Record<string, unknown> | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  if (column === null && row === null) return { ...inner, ...extra };
  const facet: Record<string, unknown> = {};
  if (column !== null) facet.column = column;
  if (row !== null) facet.row = row;
  return { facet, spec: inner, ...extra };
}

/** Options shared by the curve charts. */
export interface CurveChartOptions {
  layout: ChartLayout;
  /** The varying seed key, coloured when no colour key is set. */
  seeds: GridDim | null;
  /** Log y scale (non-positive values are left out). */
  log?: boolean;
  /** x axis title. */
  xTitle?: string;
}

function curveLayers(
  rows: readonly CurveRow[],
  opts: CurveChartOptions,
  yTitle: string,
): Record<string, unknown>[] {
  const log = opts.log ?? false;
  const x = {
    field: "step",
    type: "quantitative",
    title: opts.xTitle ?? "step",
    axis: { tickCount: 5 },
  };
  const y = (field: string) => ({
    field,
    type: "quantitative",
    title: yTitle,
    scale: log ? { type: "log" } : { zero: false },
  });
  const color = colorEncoding(opts.layout, opts.seeds, rows);
  const dash = dashEncoding(opts.layout, rows);
  return [
    {
      mark: { type: "line", strokeWidth: 1, opacity: 0.2, clip: true },
      encoding: { x, y: y("value"), color, detail: { field: "run" }, ...dash },
    },
    {
      mark: { type: "line", strokeWidth: 1.8, clip: true },
      encoding: {
        x,
        y: y("smooth"),
        color,
        detail: { field: "run" },
        ...dash,
        tooltip: [
          { field: "label", title: "run" },
          { field: "metric", title: "metric" },
          { field: "step", type: "quantitative", title: "step" },
          {
            field: "value",
            type: "quantitative",
            title: "raw",
            format: ".4~g",
          },
          {
            field: "smooth",
            type: "quantitative",
            title: "smoothed",
            format: ".4~g",
          },
        ],
      },
    },
  ];
}

/**
 * D and G loss against step: one row of panels per loss (shared y within a
 * row), a column per value of the facet key, colour by the colour key, dash
 * by the remaining keys; faint raw lines under smoothed ones.
 *
 * @param rows Curve rows whose `metric` is `D loss` or `G loss`.
 * @param opts Layout, seeds, log scale.
 * @returns A Vega-Lite spec.
 */
/** The row facet over rows' `row` field, or null when every row is "all". */
function rowFacet(rows: readonly { row: string }[]) {
  const rowNames = [...new Set(rows.map((r) => r.row))];
  return rowNames.length > 1 || rowNames[0] !== "all"
    ? {
      field: "row",
      type: "nominal",
      title: null,
      sort: rowNames,
      header: { labelAngle: 0, labelAlign: "left", labelFontWeight: "normal" },
    }
    : null;
}

export function lossSpec(
  rows: readonly CurveRow[],
  opts: CurveChartOptions,
): ChartSpec {
  const log = opts.log ?? false;
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const panel = panelSize(opts.layout.facet, 900, PANEL, { width: 440, height: 200 });
  const parts = metrics.map((metric) =>
    facetOrPlain(
      {
        ...panel,
        layer: curveLayers(rows, opts, `${metric}${log ? " (log)" : ""}`),
      },
      columnFacet(opts.layout.facet),
      null,
      {
        transform: [
          { filter: { field: "metric", equal: metric } },
          ...(log ? [{ filter: "datum.value > 0 && datum.smooth > 0" }] : []),
        ],
      },
    )
  );
  return {
    $schema: SCHEMA,
    data: { values: rows },
    vconcat: parts.length > 0 ? parts : [emptyPanel("no loss values logged")],
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
    config: CHART_CONFIG,
  };
}

function emptyPanel(message: string): Record<string, unknown> {
  return {
    ...PANEL,
    data: { values: [{ message }] },
    mark: { type: "text", fontSize: 12, color: "#777" },
    encoding: { text: { field: "message" } },
  };
}

/**
 * Evaluation metrics against step: one row of panels per metric, each with its
 * own y scale (titled with what the metric is and which way is better), laid
 * out like {@linkcode lossSpec} (columns: facet key, colour: colour key, dash:
 * the rest), the logged values as lines with points (evaluations are few, so
 * unsmoothed).
 *
 * @param rows Curve rows, any metric names.
 * @param opts Layout and seeds; `maxStep`: the x axis runs from 0 to it (the
 * training length, so the panels line up with the loss charts).
 * @param titles Panel-row title per metric name (default: the name).
 * @returns A Vega-Lite spec.
 */
export function metricsSpec(
  rows: readonly CurveRow[],
  opts: CurveChartOptions & { maxStep?: number },
  titles: Readonly<Record<string, string>> = {},
): ChartSpec {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  // as wide as the loss panels, so the step axes line up
  const panel = panelSize(opts.layout.facet, 900, { width: 200, height: 95 }, { width: 440, height: 115 });
  const maxStep = Math.max(opts.maxStep ?? 0, ...rows.map((r) => r.step));
  const color = colorEncoding(opts.layout, opts.seeds, rows);
  const dash = dashEncoding(opts.layout, rows);
  const facet = columnFacet(opts.layout.facet);
  const parts = metrics.map((metric, i) => {
    const lastRow = i === metrics.length - 1;
    const x = {
      field: "step",
      type: "quantitative",
      title: lastRow ? opts.xTitle ?? "step" : null,
      // a param, so that a live page moves the axis end without the chart being sent again
      scale: { domainMin: 0, domainMax: { expr: "maxStep" }, padding: 8, nice: false },
      axis: { tickCount: 5 },
    };
    const y = {
      field: "value",
      type: "quantitative",
      title: metric,
      scale: { zero: false, padding: 8 },
      axis: { tickCount: 4, format: ",~f" },
    };
    // column headers on the first row only: every row has the same columns
    const column = facet === null || i === 0 ? facet : { ...facet, title: null, header: { labels: false } };
    return facetOrPlain(
      {
        ...panel,
        layer: [
          {
            mark: { type: "line", strokeWidth: 1.6, clip: true },
            encoding: { x, y, color, detail: { field: "run" }, ...dash },
          },
          {
            mark: { type: "point", filled: true, size: 36, opacity: 0.9 },
            encoding: {
              x,
              y,
              color,
              detail: { field: "run" },
              tooltip: [
                { field: "label", title: "run" },
                { field: "metric", title: "metric" },
                { field: "step", type: "quantitative", title: "step" },
                { field: "value", type: "quantitative", title: "value", format: ".4~g" },
              ],
            },
          },
        ],
      },
      column,
      null,
      {
        title: { text: titles[metric] ?? metric, fontSize: 12, fontWeight: "bold" },
        transform: [{ filter: { field: "metric", equal: metric } }],
      },
    );
  });
  return {
    $schema: SCHEMA,
    data: { values: rows },
    params: [{ name: "maxStep", value: maxStep > 0 ? maxStep : 1 }],
    vconcat: parts.length > 0 ? parts : [emptyPanel("no eval values logged")],
    spacing: 14,
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
    config: CHART_CONFIG,
  };
}

/** One bar of a class histogram panel (or a panel's placeholder when `share` is null). */
export interface ClassHistRow {
  /** Run id. */
  run: string;
  /** All varying grid values, `lr=0.01 · seed=2`. */
  label: string;
  /** Column: the facet key's label (`all` when none). */
  col: string;
  /** Row: the other compared keys (and the seed), `all` when none. */
  row: string;
  /** Class 0 to K − 1. */
  cls: number;
  /** Share of the samples in that class; null: the run has no histogram. */
  share: number | null;
  /** Panel caption: `8 of 10 classes`, `no eval`, … (on class 0's row only). */
  note: string;
  /** Few classes covered: bars drawn in the alarm colour. */
  collapsed: boolean;
  /** The step of the eval line. */
  step: number | null;
}

/**
 * Class histograms of the runs' last evaluations, a small bar chart per run
 * over the grid like the sample matrices (columns: facet key, rows: the other
 * compared keys and the seed), on one fixed 0–100% scale (and a band above for
 * the caption: classes covered) with a dashed line at
 * the uniform share 1/K (10% for ten classes): an even generator is a row of low bars, a collapsed
 * one a single tall bar (in red when few classes are covered).
 *
 * @param rows A row per class per run (classes 0 to K − 1), or one placeholder row.
 * @param opts The column key (null: no columns) and the row title.
 * @returns A Vega-Lite spec.
 */
export function classHistSpec(
  rows: readonly ClassHistRow[],
  opts: { column: GridDim | null },
): ChartSpec {
  if (rows.length === 0) {
    return { $schema: SCHEMA, ...emptyPanel("no class histograms logged"), config: CHART_CONFIG };
  }
  // As many classes as the histograms have (10 for MNIST, 9 for emoji): the domain, and the even share's rule.
  const count = Math.max(1, ...rows.filter((r) => r.share !== null).map((r) => r.cls + 1));
  const classes = Array.from({ length: count }, (_, i) => i);
  const x = {
    field: "cls",
    type: "ordinal",
    title: "class",
    scale: { domain: classes, paddingInner: 0.15 },
    axis: { labelAngle: 0, labelFontSize: 9, ticks: false },
  };
  const inner = {
    width: 150,
    height: 84,
    layer: [
      {
        transform: [{ filter: "datum.share != null" }],
        mark: { type: "bar" },
        encoding: {
          x,
          y: {
            field: "share",
            type: "quantitative",
            title: "share",
            // room above 100% for the caption, so it never sits on a collapsed run's bar
            scale: { domain: [0, 1.25], nice: false },
            axis: { format: ".0%", values: [0, 0.5, 1], grid: true },
          },
          color: { condition: { test: "datum.collapsed", value: "#e45756" }, value: "#4c78a8" },
          tooltip: [
            { field: "label", title: "run" },
            { field: "step", type: "quantitative", title: "step" },
            { field: "cls", type: "ordinal", title: "class" },
            { field: "share", type: "quantitative", title: "share", format: ".1%" },
          ],
        },
      },
      {
        mark: { type: "rule", color: "#333", strokeDash: [4, 3], strokeWidth: 1 },
        transform: [{ aggregate: [{ op: "count", as: "n" }] }],
        encoding: { y: { datum: 1 / count } },
      },
      {
        transform: [{ filter: "datum.note != ''" }],
        mark: { type: "text", align: "right", baseline: "top", fontSize: 10, dx: -3, dy: 3 },
        encoding: {
          x: { value: 150 },
          y: { value: 0 },
          text: { field: "note" },
          color: { condition: { test: "datum.collapsed", value: "#b8322f" }, value: "#555" },
        },
      },
    ],
  };
  const row = rowFacet(rows);
  const colNames = [...new Set(rows.map((r) => r.col))];
  const column = opts.column === null ? null : {
    field: "col",
    type: "ordinal",
    title: opts.column.key,
    sort: opts.column.labels.filter((l) => colNames.includes(l)),
    header: { labelFontWeight: "normal" },
  };
  return {
    $schema: SCHEMA,
    data: { values: rows },
    ...facetOrPlain(inner, column, row, column !== null || row !== null ? { spacing: { row: 8, column: 14 } } : {}),
    config: CHART_CONFIG,
  };
}

/**
 * D(x) and D(G(z)) over training: the classic GAN health view. A panel per
 * grid point (columns: facet key, rows: the other compared keys), the two
 * series coloured, seeds as separate lines, a rule at 0.5.
 *
 * @param rows Curve rows whose `metric` is `D(x)` or `D(G(z))`.
 * @param opts Layout and seeds.
 * @returns A Vega-Lite spec.
 */
export function healthSpec(
  rows: readonly CurveRow[],
  opts: CurveChartOptions,
): ChartSpec {
  if (rows.length === 0) {
    return {
      $schema: SCHEMA,
      ...emptyPanel("no dReal / dFake values logged"),
      config: CHART_CONFIG,
    };
  }
  const x = {
    field: "step",
    type: "quantitative",
    title: opts.xTitle ?? "step",
    axis: { tickCount: 5 },
  };
  const color = {
    field: "metric",
    type: "nominal",
    title: null,
    scale: { domain: ["D(x)", "D(G(z))"], range: ["#1f77b4", "#e45756"] },
    legend: { orient: "top", direction: "horizontal" },
  };
  const row = rowFacet(rows);
  const inner = {
    ...panelSize(opts.layout.facet, 760, { width: 200, height: 120 }, { width: 360, height: 150 }),
    layer: [
      {
        mark: { type: "rule", color: "#999", strokeDash: [3, 3] },
        transform: [{ aggregate: [{ op: "count", as: "n" }] }],
        encoding: { y: { datum: 0.5 } },
      },
      {
        mark: { type: "line", strokeWidth: 1, opacity: 0.2 },
        encoding: {
          x,
          y: { field: "value", type: "quantitative", title: "mean D output" },
          color,
          detail: { field: "run" },
        },
      },
      {
        mark: { type: "line", strokeWidth: 1.8 },
        encoding: {
          x,
          y: { field: "smooth", type: "quantitative", title: "mean D output" },
          color,
          detail: { field: "run" },
          tooltip: [
            { field: "label", title: "run" },
            { field: "metric", title: "series" },
            { field: "step", type: "quantitative", title: "step" },
            {
              field: "value",
              type: "quantitative",
              title: "raw",
              format: ".3~g",
            },
          ],
        },
      },
    ],
  };
  return {
    $schema: SCHEMA,
    data: { values: rows },
    ...facetOrPlain(inner, columnFacet(opts.layout.facet), row),
    config: CHART_CONFIG,
  };
}

/** One heatmap cell: a grid point's summary of the chosen metric. */
export interface HeatCell {
  x: string;
  y: string;
  /** Compared keys on neither axis (heatmap columns). */
  facet: string;
  /** Mean over finite runs; null when none. */
  mean: number | null;
  /** Cell text: `0.69 ± 0.02`, `diverged`, … (lines split on `\n`). */
  text: string;
  /** Whether `mean` is set. */
  hasValue: boolean;
  /** Tooltip: the grid point and the run states. */
  detail: string;
}

/**
 * A heatmap of one metric over two grid keys, seeds pooled (the cell text says
 * `mean ± sd`), with cells without a value in grey and labelled why.
 *
 * @param cells The cells.
 * @param dims The x and y keys (null when the grid has fewer) and the facet label title.
 * @param metric The metric's name (colour legend title).
 * @param better Which way the metric improves: the colour scale is reversed
 * for `lower`, so the bright end is always the better one, and the legend says so.
 * @returns A Vega-Lite spec.
 */
export function heatmapSpec(
  cells: readonly HeatCell[],
  dims: { x: GridDim | null; y: GridDim | null; facetTitle: string | null },
  metric: string,
  better: "lower" | "higher" | null = null,
): ChartSpec {
  const axis = (dim: GridDim | null, field: "x" | "y") => ({
    field,
    type: "ordinal",
    title: dim?.key ?? null,
    sort: dim?.labels ?? null,
    axis: dim === null ? null : { labelAngle: 0, labelLimit: 160 },
  });
  const means = cells.flatMap((c) => c.mean === null ? [] : [c.mean]);
  const lo = Math.min(...means);
  const hi = Math.max(...means);
  const mid = means.length > 0 ? (lo + hi) / 2 : 0;
  const enc = { x: axis(dims.x, "x"), y: axis(dims.y, "y") };
  const inner = {
    width: { step: 92 },
    height: { step: 46 },
    layer: [
      {
        transform: [{ filter: "datum.hasValue" }],
        mark: { type: "rect", stroke: "white" },
        encoding: {
          ...enc,
          color: {
            field: "mean",
            type: "quantitative",
            title: better === null ? metric : [metric, `${better} is better`],
            scale: { scheme: "viridis", reverse: better === "lower" },
          },
          tooltip: [
            { field: "detail", title: "grid point" },
            {
              field: "mean",
              type: "quantitative",
              title: metric,
              format: ".4~g",
            },
          ],
        },
      },
      {
        transform: [{ filter: "!datum.hasValue" }],
        mark: { type: "rect", fill: "#e6e6e6", stroke: "white" },
        encoding: {
          ...enc,
          tooltip: [{ field: "detail", title: "grid point" }],
        },
      },
      {
        mark: { type: "text", fontSize: 10, lineBreak: "\n" },
        encoding: {
          ...enc,
          text: { field: "text" },
          color: {
            condition: {
              test: `datum.hasValue && datum.mean ${better === "lower" ? ">" : "<"} ${JSON.stringify(mid)}`,
              value: "white",
            },
            value: "#222",
          },
        },
      },
    ],
  };
  const facets = [...new Set(cells.map((c) => c.facet))];
  const column = facets.length > 1
    ? {
      field: "facet",
      type: "nominal",
      title: dims.facetTitle,
      sort: facets,
      header: { labelFontWeight: "normal" },
    }
    : null;
  return {
    $schema: SCHEMA,
    data: { values: cells },
    ...facetOrPlain(inner, column, null),
    config: CHART_CONFIG,
  };
}
