/**
 * Long-format rows (one per run, metric and logged point) for the curve charts.
 * @module
 */
import type { RunData, SeriesPoint } from "../results/read_results.ts";
import { type ChartLayout, comboLabel, type GridView, runFields } from "./grid_view.ts";
import { autoWeight, ema } from "./smooth.ts";

/** One point of one metric of one run. */
export interface CurveRow {
  /** Run id. */
  run: string;
  /** All varying grid values, `lr=0.01 · seed=2`. */
  label: string;
  /** The metric's display name. */
  metric: string;
  step: number;
  value: number;
  /** EMA-smoothed value. */
  smooth: number;
  /** Compared keys on neither facet nor colour (line dash). */
  rest: string;
  /** Compared keys other than the facet key (matrix rows). */
  row: string;
  /** Colour: the colour key's label, else the seed, else the run. */
  color: string;
  /** Grid labels by safe field (`g0`, …). */
  [field: string]: string | number;
}

/** Which series to read and how to name them. */
export interface CurveRequest {
  /** `steps`, `epochs` or `evals` lines; `steps` falls back to `epochs`. */
  source: "steps" | "epochs" | "evals";
  /** Field name → display name. */
  metrics: ReadonlyArray<readonly [field: string, name: string]>;
  /** Most points per series kept (evenly spaced; the last one always). */
  maxPoints?: number;
}

function pointsOf(run: RunData, source: CurveRequest["source"]): SeriesPoint[] {
  if (source === "steps") return run.steps.length > 0 ? run.steps : run.epochs;
  return source === "epochs" ? run.epochs : run.evals;
}

/**
 * At most `max` items: every k-th (k a power of two) and the last. Items kept stay kept while the series grows
 * until k doubles, so a live report sends only new points.
 */
export function thin<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  let stride = 1;
  while (Math.ceil((items.length - 1) / stride) > max - 1) stride *= 2;
  const out = items.filter((_, i) => i % stride === 0 && i < items.length - 1);
  const last = items[items.length - 1];
  if (last !== undefined) out.push(last);
  return out;
}

/** The label that distinguishes a run by colour. */
export function colorLabel(
  view: GridView,
  layout: ChartLayout,
  run: RunData,
): string {
  if (layout.color !== null) {
    return comboLabel([layout.color], run.gridValues).split("=").slice(1)
      .join("=");
  }
  if (view.seed !== null) return comboLabel([view.seed], run.gridValues);
  return run.id;
}

/**
 * Rows for a curve chart: each requested metric of each run, raw and smoothed.
 * Metrics a run does not log are simply absent.
 *
 * @param runs The runs.
 * @param view The grid.
 * @param layout Facet and colour keys.
 * @param request Which lines and fields.
 * @returns The rows.
 */
export function curveRows(
  runs: readonly RunData[],
  view: GridView,
  layout: ChartLayout,
  request: CurveRequest,
): CurveRow[] {
  const varying = view.dims.filter((d) => d.labels.length > 1);
  const notFacet = view.compare.filter((d) => d !== layout.facet);
  const rows: CurveRow[] = [];
  for (const run of runs) {
    const points = pointsOf(run, request.source);
    const fields = runFields(view, run.gridValues);
    const base = {
      run: run.id,
      label: varying.length > 0 ? comboLabel(varying, run.gridValues) : run.id,
      rest: comboLabel(layout.rest, run.gridValues),
      row: comboLabel(notFacet, run.gridValues),
      color: colorLabel(view, layout, run),
      ...fields,
    };
    for (const [field, name] of request.metrics) {
      const series = points.flatMap((p) => {
        const v = p.values[field];
        return v === undefined ? [] : [{ step: p.step, value: v }];
      });
      if (series.length === 0) continue;
      const smooth = ema(series.map((s) => s.value), autoWeight(series.length));
      const all = series.map((s, i) => ({
        ...s,
        smooth: smooth[i] ?? s.value,
      }));
      for (const p of thin(all, request.maxPoints ?? 400)) {
        rows.push({ ...base, metric: name, ...p });
      }
    }
  }
  return rows;
}
