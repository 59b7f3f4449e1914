/**
 * Build the comparison report of one sweep: read its result folder, build the
 * charts, write `report.html` and the charts as SVG (and PNG).
 * @module
 */
import { checkClaimsOn, type CheckedClaim, type Claim, claimsFile } from "../claims/claims.ts";
import { dirname, join } from "@std/path";
import { writeFileAtomic } from "../results/atomic_write.ts";
import { requireWritable } from "../cli/flags.ts";
import { type ExperimentResults, readExperimentResults, type RunData } from "../results/read_results.ts";
import { chooseHeatmapDims, chooseLayout, gridView } from "./grid_view.ts";
import { curveRows } from "./curve_rows.ts";
import { availableMetrics, evalMetricNames, summarizeGroups, TRAINING_METRICS } from "./final_values.ts";
import { type ChartSpec, classHistSpec, healthSpec, heatmapSpec, lossSpec, metricsSpec } from "./specs.ts";
import {
  betterDirection,
  chartedEvalMetrics,
  consistentEvals,
  EVAL_BOOKKEEPING,
  metricTitle,
  setupsLabel,
} from "./eval_info.ts";
import { formatDuration } from "./format.ts";
import { sampleAt, type SamplePick, samplePoints } from "./samples.ts";
import { ImageEmbedder } from "./images.ts";
import { type PageChart, type PageModel, type PageSection, renderPage } from "./html.ts";
import { readVegaBuilds } from "./vega_assets.ts";
import { renderSvg } from "./svg.ts";
import { pngUnavailable, svgToPng } from "./png.ts";
import { InputError } from "../input_error.ts";
import { backendsLabel, finalTable, gridTable, heatCells, problemsTable, STATES } from "./tables.ts";
import { imageMatrix } from "./image_matrix.ts";
import { classHistRows } from "./class_hist_rows.ts";

/** What to build and where. */
export interface ReportOptions {
  /** The experiment's result folder. */
  resultsDir: string;
  /** HTML file (default `<resultsDir>/report.html`). */
  out?: string | undefined;
  /** Grid key for column facets. */
  facet?: string | undefined;
  /** Grid key for colour. */
  color?: string | undefined;
  /** Metric for the heatmap. */
  metric?: string | undefined;
  /** Grid keys for the heatmap's x and y. */
  heatmap?: string[] | undefined;
  /** Sampling points to show (default first, middle, last). */
  samples?: SamplePick[] | undefined;
  /** Folder for chart SVG/PNG files (default `<resultsDir>/report`); null: none. */
  chartDir?: string | null | undefined;
  /** Write PNGs beside the SVGs (default true). */
  png?: boolean | undefined;
  /** Most bytes of images embedded in the HTML (default 40 MB). */
  embedBudgetBytes?: number | undefined;
  /** Claims to check against these results and show (default: those already checked in `claims.json`). */
  claims?: readonly Claim[] | undefined;
}

/** What was written. */
export interface ReportResult {
  html: string;
  /** Chart files written (SVG and PNG paths). */
  files: string[];
  /** Charts on the page, by id. */
  charts: string[];
  /** Notes for the console (PNG skipped, images linked, warnings). */
  notes: string[];
  results: ExperimentResults;
  /** The claims shown on the page, with their verdicts. */
  claims: CheckedClaim[];
}

/**
 * The metric the heatmap shows by default: `fcd` when logged, else the first
 * other eval metric (never the bookkeeping `evalN`, `evalSeconds`), else G's loss.
 */
export function defaultMetric(runs: readonly RunData[]): string | null {
  const available = availableMetrics(runs);
  const evals = chartedEvalMetrics(evalMetricNames(runs)).filter((m) => available.includes(m));
  return evals[0] ??
    (available.includes("gLoss") ? "gLoss" : available.find((m) => !EVAL_BOOKKEEPING.includes(m)) ?? null);
}

function spansOrders(rows: readonly { value: number }[]): boolean {
  const pos = rows.map((r) => r.value).filter((v) => v > 0);
  if (pos.length === 0) return false;
  return Math.max(...pos) / Math.min(...pos) > 100;
}

/** The checked claims in `claims.json` (written by the sweep): none when there is no such file; `note` when it is unreadable. */
async function readClaims(dir: string): Promise<{ claims: CheckedClaim[]; note?: string }> {
  const path = claimsFile(dir);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { claims: [] };
    throw e;
  }
  try {
    const parsed = JSON.parse(text);
    if (Array.isArray(parsed)) return { claims: parsed };
  } catch {
    // below
  }
  return {
    claims: [],
    note: `warning: ${path} is not a JSON list of checked claims, so no claims are shown; ` +
      "`deno task report <experiment.ts>` checks them again from the results and rewrites it",
  };
}

/**
 * Build and write the report.
 *
 * @param opts What to read and where to write.
 * @returns The files written and notes.
 * @throws {NotAnExperimentError} When the folder is not a sweep's results.
 * @throws {InputError} When a requested key or metric does not exist.
 */
export async function buildReport(opts: ReportOptions): Promise<ReportResult> {
  const results = await readExperimentResults(opts.resultsDir);
  const { experiment } = results;
  // Runs re-evaluated with another classifier or N keep only their latest evaluation's lines.
  const evalCheck = consistentEvals(results.runs);
  const runs = evalCheck.runs;
  const view = gridView(experiment.grid);
  const layout = chooseLayout(view, { facet: opts.facet, color: opts.color });
  const heat = chooseHeatmapDims(view, opts.heatmap ?? []);
  const metrics = availableMetrics(runs);
  const metric = opts.metric ?? defaultMetric(runs);
  if (opts.metric !== undefined && !metrics.includes(opts.metric)) {
    throw new InputError(
      "--metric",
      `cannot use metric '${opts.metric}': no run has it (metrics: ${metrics.join(", ") || "none"})`,
    );
  }
  const out = opts.out ?? join(opts.resultsDir, "report.html");
  const chartDir = opts.chartDir === undefined ? join(opts.resultsDir, "report") : opts.chartDir;
  requireWritable("--out", out);
  if (chartDir !== null) requireWritable("chart folder (--no-charts for none)", chartDir);
  const notes: string[] = [];
  const curveOpts = { layout, seeds: view.seed };

  const lossRows = curveRows(runs, view, layout, {
    source: "steps",
    metrics: [["dLoss", "D loss"], ["gLoss", "G loss"]],
  });
  const healthRows = curveRows(runs, view, layout, {
    source: "steps",
    metrics: [["dReal", "D(x)"], ["dFake", "D(G(z))"]],
  });
  const evalNames = chartedEvalMetrics(evalMetricNames(runs));
  const evalRows = curveRows(runs, view, layout, {
    source: "evals",
    metrics: evalNames.map((n) => [n, n] as const),
  });
  const groups = summarizeGroups(runs, view);

  const charts: { id: string; spec: ChartSpec }[] = [];
  const add = (id: string, spec: ChartSpec): PageChart => {
    charts.push({ id, spec });
    return { id, spec };
  };
  const sections: PageSection[] = [];
  const saved = opts.claims ? null : await readClaims(opts.resultsDir);
  if (saved?.note) notes.push(saved.note);
  const claims = opts.claims ? checkClaimsOn(opts.claims, results.runs) : saved!.claims;
  if (claims.length) {
    sections.push({
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
    });
  }
  const smoothNote = "Thick lines: exponential moving average; faint lines: the logged values. " +
    (layout.facet ? `Columns: ${layout.facet.key}. ` : "") +
    (layout.color ? `Colour: ${layout.color.key}. ` : "") +
    (layout.rest.length ? `Dash: ${layout.rest.map((d) => d.key).join(" · ")}. ` : "") +
    (view.seed ? "Seeds are separate lines of the same colour." : "");
  const logFirst = spansOrders(lossRows);
  sections.push({
    id: "losses",
    title: "Loss curves",
    note: smoothNote +
      (logFirst ? " Losses span orders of magnitude: log scale shown first." : ""),
    items: [{
      kind: "toggle",
      name: "loss-scale",
      selected: logFirst ? 1 : 0,
      options: [
        {
          label: "linear",
          chart: add("loss-linear", lossSpec(lossRows, curveOpts)),
        },
        {
          label: "log",
          chart: add(
            "loss-log",
            lossSpec(lossRows, { ...curveOpts, log: true }),
          ),
        },
      ],
    }],
  });
  sections.push({
    id: "health",
    title: "D(x) and D(G(z))",
    note: "Mean discriminator output on real (D(x)) and generated (D(G(z))) images. " +
      "Healthy training keeps them apart but near 0.5; D(x)→1 with D(G(z))→0 means D has won.",
    items: [{
      kind: "chart",
      chart: add("health", healthSpec(healthRows, curveOpts)),
    }],
  });
  const evalSetups = setupsLabel(evalCheck.setups);
  if (evalNames.length > 0) {
    const lower = evalNames.filter((m) => betterDirection(m) === "lower");
    const higher = evalNames.filter((m) => betterDirection(m) === "higher");
    sections.push({
      id: "eval",
      title: "Evaluation metrics",
      note: "Quality of each run's generator over training, measured through a pinned domain classifier" +
        (evalSetups ? ` (${evalSetups})` : "") + "; one point per evaluation. " +
        (lower.length ? `Lower is better for ${lower.join(", ")}; ` : "") +
        (higher.length ? `higher is better for ${higher.join(", ")}. ` : "") +
        "Each metric has its own y scale. FCD is the Fréchet distance in the classifier's feature space: " +
        "not Inception FID, and comparable only between runs evaluated with the same classifier and N. " +
        (layout.facet ? `Columns: ${layout.facet.key}. ` : "") +
        (layout.color ? `Colour: ${layout.color.key}. ` : "") +
        (layout.rest.length ? `Dash: ${layout.rest.map((d) => d.key).join(" · ")}. ` : ""),
      items: [{
        kind: "chart",
        chart: add(
          "eval",
          metricsSpec(
            evalRows,
            { ...curveOpts, maxStep: Math.max(0, ...lossRows.map((r) => r.step)) },
            Object.fromEntries(evalNames.map((m) => [m, metricTitle(m)])),
          ),
        ),
      }],
    });
  }
  const finalItems: PageSection["items"] = [];
  if (metric !== null) {
    const facetTitle = heat.rest.map((d) => d.key).join(" · ") || null;
    finalItems.push({
      kind: "chart",
      chart: add(
        "heatmap",
        heatmapSpec(
          heatCells(groups, heat, metric),
          { x: heat.x, y: heat.y, facetTitle },
          metric,
          betterDirection(metric),
        ),
      ),
    });
  } else {
    finalItems.push({ kind: "text", text: "No run has logged a value yet." });
  }
  const tableMetrics = metrics.filter((m) =>
    m === metric || evalNames.includes(m) || (m.startsWith("eval.") && evalNames.includes(m.slice(5))) ||
    (TRAINING_METRICS as readonly string[]).includes(m) ||
    m === "ms" || m === "seconds"
  );
  finalItems.push({
    kind: "table",
    table: finalTable(groups, view, tableMetrics),
  });
  const direction = metric === null ? null : betterDirection(metric);
  sections.push({
    id: "final",
    title: `Final values${metric ? `: ${metric}` : ""}`,
    note: "Last epoch means (else the last logged step), last eval values, ms per step and wall seconds. " +
      (direction === null ? "" : `The heatmap shows ${metric} (${direction} is better: brighter cells are better). `) +
      (view.seed
        ? "Seeds pooled as mean ± sd over runs that completed, are still running or stopped; diverged and failed runs are counted, not averaged."
        : "Diverged and failed runs are counted, not averaged."),
    items: finalItems,
  });

  const histRows = classHistRows(runs, view, layout);
  if (histRows.some((r) => r.share !== null)) {
    const histRowDims = [...view.compare.filter((d) => d !== layout.facet), ...(view.seed ? [view.seed] : [])];
    sections.push({
      id: "classes",
      title: "Class histograms",
      note: "Share of each run's generated samples per class (0–9) by the classifier, at its last evaluation, " +
        "laid out over the grid like the samples" +
        (layout.facet ? ` (columns: ${layout.facet.key}` : " (") +
        (histRowDims.length ? `${layout.facet ? "; " : ""}rows: ${histRowDims.map((d) => d.key).join(" · ")})` : ")") +
        ". The dashed line is the uniform share, 10%: a healthy generator keeps every bar near it; " +
        "one tall bar is mode collapse. Runs covering 5 classes or fewer are drawn in red.",
      items: [{ kind: "chart", chart: add("class-hist", classHistSpec(histRows, { column: layout.facet })) }],
    });
  }

  const images = new ImageEmbedder(dirname(out), opts.embedBudgetBytes ?? 40e6);
  const { unit, points } = samplePoints(
    runs,
    opts.samples ?? ["first", "middle", "last"],
  );
  const sampleItems: PageSection["items"] = [];
  for (const p of points) {
    sampleItems.push({
      kind: "matrix",
      matrix: await imageMatrix(
        p.title,
        "sample",
        runs,
        view,
        layout,
        (run) => {
          const s = sampleAt(run, p.at, unit);
          if (s === null) return null;
          const at = unit === "epoch" ? s.epoch : s.step;
          return {
            path: s.path,
            caption: at === p.at ? `${unit} ${at}` : `${unit} ${at} (last)`,
          };
        },
        images,
      ),
    });
  }
  if (runs.some((r) => r.gif !== null)) {
    sampleItems.push({
      kind: "matrix",
      matrix: await imageMatrix(
        "Progression (animated)",
        "gif",
        runs,
        view,
        layout,
        (run) => run.gif === null ? null : { path: run.gif, caption: "progress.gif" },
        images,
      ),
    });
  }
  if (sampleItems.length === 0) {
    sampleItems.push({ kind: "text", text: "No sample grids yet." });
  }
  sections.push({
    id: "samples",
    title: "Samples",
    note: "Fixed-noise sample grids at the same point of training, laid out over the grid. " +
      "A run that stopped earlier shows its last image (marked “last”).",
    items: sampleItems,
  });
  if (images.linked > 0) {
    notes.push(
      `${images.linked} images were linked, not embedded (over the size budget)`,
    );
  }

  const totalSeconds = runs.reduce((a, r) => a + (r.status?.seconds ?? 0), 0);
  const counts = STATES.map((s) => [s, runs.filter((r) => r.state === s).length] as [string, number])
    .filter(([s, n]) => n > 0 || s !== "pending");
  const model: PageModel = {
    title: experiment.name,
    description: experiment.description,
    facts: [
      ["runs", String(runs.length)],
      ["backend", backendsLabel(runs)],
      ["total training time", formatDuration(totalSeconds)],
      ["source", experiment.source || "—"],
      ["updated", experiment.updated || "—"],
    ],
    grid: gridTable(view, layout, heat.x, heat.y),
    statusCounts: counts,
    warnings: [
      ...results.warnings.map((w) => (w.runId === null ? "" : `${w.runId}: `) + w.message),
      ...evalCheck.warnings,
    ],
    problems: problemsTable(runs, view),
    sections,
    footer: `Generated ${new Date().toISOString()} by deno task report from ${results.dir}.`,
  };
  const html = renderPage(model, await readVegaBuilds());
  await Deno.mkdir(dirname(out), { recursive: true });
  await writeFileAtomic(out, html);

  const files: string[] = [];
  if (chartDir !== null) {
    await Deno.mkdir(chartDir, { recursive: true });
    const wantPng = opts.png ?? true;
    const noPng = wantPng ? await pngUnavailable() : "not requested";
    if (wantPng && noPng !== null) notes.push(`PNG charts skipped: ${noPng}`);
    for (const c of charts) {
      const svg = await renderSvg(c.spec);
      const svgPath = join(chartDir, `${c.id}.svg`);
      await writeFileAtomic(svgPath, svg);
      files.push(svgPath);
      if (noPng === null) {
        const pngPath = join(chartDir, `${c.id}.png`);
        await writeFileAtomic(pngPath, await svgToPng(svg));
        files.push(pngPath);
      }
    }
  }
  for (const w of model.warnings) notes.push(`warning: ${w}`);
  return { html: out, files, charts: charts.map((c) => c.id), notes, results, claims };
}
