/**
 * The sections of the report page, one function each: claims, loss curves,
 * D(x) and D(G(z)), evaluation metrics, final values, class histograms and
 * samples. Each registers the charts it shows with a {@linkcode ChartList}.
 * @module
 */
import type { CheckedClaim } from "../claims/claims.ts";
import type { ExperimentResults, RunData } from "../results/read_results.ts";
import type { ChartLayout, GridDim, GridView } from "./grid_view.ts";
import { type CurveRow, curveRows } from "./curve_rows.ts";
import { evalMetricNames, type GroupSummary, summarizeGroups, trainingMetricNames } from "./final_values.ts";
import { type ChartSpec, classHistSpec, healthSpec, heatmapSpec, lossSpec, metricsSpec } from "./specs.ts";
import { betterDirection, chartedEvalMetrics, type EvalConsistency, metricTitle, setupsLabel } from "./eval_info.ts";
import { sampleAt, type SamplePick, samplePoints } from "./samples.ts";
import type { ImageEmbedder } from "./images.ts";
import type { PageChart, PageSection } from "./html.ts";
import { finalTable, heatCells } from "./tables.ts";
import { imageMatrix } from "./image_matrix.ts";
import { classHistRows } from "./class_hist_rows.ts";

/** What the sections are built from: the runs as read and how the grid is laid out. */
export interface ReportView {
  results: ExperimentResults;
  /** Runs' eval lines made comparable. */
  evalCheck: EvalConsistency;
  /** `evalCheck.runs`: the runs charted. */
  runs: RunData[];
  view: GridView;
  layout: ChartLayout;
  heat: { x: GridDim | null; y: GridDim | null; rest: GridDim[] };
  /** Every metric some run has. */
  metrics: string[];
  /** The heatmap's metric, or null when no run has logged a value. */
  metric: string | null;
}

/** The charts of the page in the order they are added (and written as files). */
export class ChartList {
  /** The charts so far. */
  readonly list: { id: string; spec: ChartSpec }[] = [];

  /**
   * Register a chart.
   * @param id Its element id and file name.
   * @param spec Its Vega-Lite spec.
   * @returns The chart as the page places it.
   */
  add(id: string, spec: ChartSpec): PageChart {
    this.list.push({ id, spec });
    return { id, spec };
  }
}

function spansOrders(rows: readonly { value: number }[]): boolean {
  const pos = rows.map((r) => r.value).filter((v) => v > 0);
  if (pos.length === 0) return false;
  return Math.max(...pos) / Math.min(...pos) > 100;
}

/** How the curves are told apart: `Columns: lr. Colour: noiseDim. ` (empty when nothing varies). */
function layoutNote(layout: ChartLayout): string {
  return (layout.facet ? `Columns: ${layout.facet.key}. ` : "") +
    (layout.color ? `Colour: ${layout.color.key}. ` : "") +
    (layout.rest.length ? `Dash: ${layout.rest.map((d) => d.key).join(" · ")}. ` : "");
}

/** The claims and their verdicts (no section when the experiment has none). */
export function claimsSection(claims: readonly CheckedClaim[]): PageSection[] {
  if (!claims.length) return [];
  return [{
    id: "claims",
    title: "Claims",
    note: "What the experiment's source claims, checked against these results. " +
      "A claim that does not reproduce is a finding; inconclusive means the data cannot decide (e.g. a reduced budget).",
    items: [{
      kind: "table",
      table: {
        head: ["claim", "verdict", "measured", "how it is decided"],
        rows: claims.map((c) => ({ cells: [c.text, c.verdict, c.measured, c.method], state: c.verdict })),
      },
    }],
  }];
}

/** D and G losses, linear and log (log first when they span orders of magnitude). */
function lossSection(r: ReportView, lossRows: CurveRow[], charts: ChartList): PageSection {
  const curveOpts = { layout: r.layout, seeds: r.view.seed };
  const smoothNote = "Thick lines: exponential moving average; faint lines: the logged values. " +
    layoutNote(r.layout) +
    (r.view.seed ? "Seeds are separate lines of the same colour." : "");
  const logFirst = spansOrders(lossRows);
  return {
    id: "losses",
    title: "Loss curves",
    note: smoothNote +
      (logFirst ? " Losses span orders of magnitude: log scale shown first." : ""),
    items: [{
      kind: "toggle",
      name: "loss-scale",
      selected: logFirst ? 1 : 0,
      options: [
        { label: "linear", chart: charts.add("loss-linear", lossSpec(lossRows, curveOpts)) },
        { label: "log", chart: charts.add("loss-log", lossSpec(lossRows, { ...curveOpts, log: true })) },
      ],
    }],
  };
}

/** Mean D output on real and generated images. */
function healthSection(r: ReportView, charts: ChartList): PageSection {
  const healthRows = curveRows(r.runs, r.view, r.layout, {
    source: "steps",
    metrics: [["dReal", "D(x)"], ["dFake", "D(G(z))"]],
  });
  return {
    id: "health",
    title: "D(x) and D(G(z))",
    note: "Mean discriminator output on real (D(x)) and generated (D(G(z))) images. " +
      "Healthy training keeps them apart but near 0.5; D(x)→1 with D(G(z))→0 means D has won.",
    items: [{
      kind: "chart",
      chart: charts.add("health", healthSpec(healthRows, { layout: r.layout, seeds: r.view.seed })),
    }],
  };
}

/** The eval metrics over training, one panel per metric (none when no run was evaluated). */
function evalSection(r: ReportView, evalNames: string[], lossRows: CurveRow[], charts: ChartList): PageSection[] {
  if (evalNames.length === 0) return [];
  const evalRows = curveRows(r.runs, r.view, r.layout, {
    source: "evals",
    metrics: evalNames.map((n) => [n, n] as const),
  });
  const evalSetups = setupsLabel(r.evalCheck.setups);
  const lower = evalNames.filter((m) => betterDirection(m) === "lower");
  const higher = evalNames.filter((m) => betterDirection(m) === "higher");
  return [{
    id: "eval",
    title: "Evaluation metrics",
    note: "Quality of each run's generator over training, measured through a pinned domain classifier" +
      (evalSetups ? ` (${evalSetups})` : "") + "; one point per evaluation. " +
      (lower.length ? `Lower is better for ${lower.join(", ")}; ` : "") +
      (higher.length ? `higher is better for ${higher.join(", ")}. ` : "") +
      "Each metric has its own y scale. FCD is the Fréchet distance in the classifier's feature space: " +
      "not Inception FID, and comparable only between runs evaluated with the same classifier and N. " +
      (evalNames.includes("kid")
        ? "KID, the kernel distance on the same features, is unbiased: comparable across N, not across classifiers. "
        : "") +
      layoutNote(r.layout),
    items: [{
      kind: "chart",
      chart: charts.add(
        "eval",
        metricsSpec(
          evalRows,
          { layout: r.layout, seeds: r.view.seed, maxStep: Math.max(0, ...lossRows.map((row) => row.step)) },
          Object.fromEntries(evalNames.map((m) => [m, metricTitle(m)])),
        ),
      ),
    }],
  }];
}

/** The charted sections: losses, D(x) and D(G(z)), and the eval metrics when there are any. */
export function curveSections(r: ReportView, charts: ChartList): PageSection[] {
  const lossRows = curveRows(r.runs, r.view, r.layout, {
    source: "steps",
    metrics: [["dLoss", "D loss"], ["gLoss", "G loss"]],
  });
  const evalNames = chartedEvalMetrics(evalMetricNames(r.runs));
  return [
    lossSection(r, lossRows, charts),
    healthSection(r, charts),
    ...evalSection(r, evalNames, lossRows, charts),
  ];
}

/** The heatmap of the chosen metric over two grid keys, or a line saying no run has logged a value. */
function heatmapItem(r: ReportView, groups: GroupSummary[], charts: ChartList): PageSection["items"][number] {
  const { metric, heat } = r;
  if (metric === null) return { kind: "text", text: "No run has logged a value yet." };
  const facetTitle = heat.rest.map((d) => d.key).join(" · ") || null;
  return {
    kind: "chart",
    chart: charts.add(
      "heatmap",
      heatmapSpec(
        heatCells(groups, heat, metric),
        { x: heat.x, y: heat.y, facetTitle },
        metric,
        betterDirection(metric),
      ),
    ),
  };
}

/** Final values: the heatmap and the table of every group's last values. */
export function finalSection(r: ReportView, charts: ChartList): PageSection {
  const { metric, view } = r;
  const groups = summarizeGroups(r.runs, view);
  const evalNames = chartedEvalMetrics(evalMetricNames(r.runs));
  const training = trainingMetricNames(r.runs);
  const tableMetrics = r.metrics.filter((m) =>
    m === metric || evalNames.includes(m) || (m.startsWith("eval.") && evalNames.includes(m.slice(5))) ||
    training.includes(m) ||
    m === "ms" || m === "seconds"
  );
  const direction = metric === null ? null : betterDirection(metric);
  return {
    id: "final",
    title: `Final values${metric ? `: ${metric}` : ""}`,
    note: "Last epoch means (else the last logged step), last eval values, ms per step and wall seconds. " +
      (direction === null ? "" : `The heatmap shows ${metric} (${direction} is better: brighter cells are better). `) +
      (view.seed
        ? "Seeds pooled as mean ± sd over runs that completed, are still running or stopped; diverged and failed runs are counted, not averaged."
        : "Diverged and failed runs are counted, not averaged."),
    items: [
      heatmapItem(r, groups, charts),
      { kind: "table", table: finalTable(groups, view, tableMetrics) },
    ],
  };
}

/** Each run's class histogram at its last evaluation (none when no run has one). */
export function classesSection(r: ReportView, charts: ChartList): PageSection[] {
  const { view, layout } = r;
  const histRows = classHistRows(r.runs, view, layout);
  if (!histRows.some((row) => row.share !== null)) return [];
  const histRowDims = [...view.compare.filter((d) => d !== layout.facet), ...(view.seed ? [view.seed] : [])];
  return [{
    id: "classes",
    title: "Class histograms",
    note: "Share of each run's generated samples per class (0–9) by the classifier, at its last evaluation, " +
      "laid out over the grid like the samples" +
      (layout.facet ? ` (columns: ${layout.facet.key}` : " (") +
      (histRowDims.length ? `${layout.facet ? "; " : ""}rows: ${histRowDims.map((d) => d.key).join(" · ")})` : ")") +
      ". The dashed line is the uniform share, 10%: a healthy generator keeps every bar near it; " +
      "one tall bar is mode collapse. Runs covering 5 classes or fewer are drawn in red.",
    items: [{ kind: "chart", chart: charts.add("class-hist", classHistSpec(histRows, { column: layout.facet })) }],
  }];
}

/** The sample grids at the chosen points of training and the progress GIFs, as image matrices. */
export async function samplesSection(
  r: ReportView,
  picks: readonly SamplePick[],
  images: ImageEmbedder,
): Promise<PageSection> {
  const { runs, view, layout } = r;
  const { unit, points } = samplePoints(runs, picks);
  const sampleItems: PageSection["items"] = [];
  for (const p of points) {
    const pick = (run: RunData) => {
      const s = sampleAt(run, p.at, unit);
      if (s === null) return null;
      const at = unit === "epoch" ? s.epoch : s.step;
      return { path: s.path, caption: at === p.at ? `${unit} ${at}` : `${unit} ${at} (last)` };
    };
    sampleItems.push({
      kind: "matrix",
      matrix: await imageMatrix(p.title, "sample", runs, view, layout, pick, images),
    });
  }
  if (runs.some((run) => run.gif !== null)) {
    const pick = (run: RunData) => run.gif === null ? null : { path: run.gif, caption: "progress.gif" };
    sampleItems.push({
      kind: "matrix",
      matrix: await imageMatrix("Progression (animated)", "gif", runs, view, layout, pick, images),
    });
  }
  if (sampleItems.length === 0) {
    sampleItems.push({ kind: "text", text: "No sample grids yet." });
  }
  return {
    id: "samples",
    title: "Samples",
    note: "Fixed-noise sample grids at the same point of training, laid out over the grid. " +
      "A run that stopped earlier shows its last image (marked “last”).",
    items: sampleItems,
  };
}
