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
 * Several metrics against step (e.g. eval lines): one row of panels per
 * metric, laid out like {@linkcode lossSpec}, lines with points.
 *
 * @param rows Curve rows, any metric names.
 * @param opts Layout and seeds.
 * @returns A Vega-Lite spec.
 */
export function metricsSpec(
  rows: readonly CurveRow[],
  opts: CurveChartOptions,
): ChartSpec {
  const spec = lossSpec(rows, opts);
  const parts = spec.vconcat as Record<string, unknown>[];
  return { ...spec, vconcat: parts };
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
  const rowNames = [...new Set(rows.map((r) => r.row))];
  const rowFacet = rowNames.length > 1 || rowNames[0] !== "all"
    ? {
      field: "row",
      type: "nominal",
      title: null,
      sort: rowNames,
      header: { labelAngle: 0, labelAlign: "left", labelFontWeight: "normal" },
    }
    : null;
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
    ...facetOrPlain(inner, columnFacet(opts.layout.facet), rowFacet),
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
 * @returns A Vega-Lite spec.
 */
export function heatmapSpec(
  cells: readonly HeatCell[],
  dims: { x: GridDim | null; y: GridDim | null; facetTitle: string | null },
  metric: string,
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
            title: metric,
            scale: { scheme: "viridis" },
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
              test: `datum.hasValue && datum.mean < ${JSON.stringify(mid)}`,
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
