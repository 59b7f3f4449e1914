/**
 * Build the comparison report of one sweep: read its result folder, build the
 * charts, write `report.html` and the charts as SVG (and PNG).
 * @module
 */
import { checkClaimsOn, type CheckedClaim, type Claim, claimsFile } from "../claims/claims.ts";
import { basename, dirname, extname, join } from "@std/path";
import { ensureWritable, writeFileAtomic } from "../atomic_write.ts";
import { requireWritable } from "../cli/flags.ts";
import { type ExperimentResults, readExperimentResults, type RunData } from "../results/read_results.ts";
import { runsCsv } from "../results/runs_csv.ts";
import { chooseHeatmapDims, chooseLayout, gridView, searchedGrid } from "./grid_view.ts";
import { availableMetrics, evalMetricNames } from "./final_values.ts";
import { chartedEvalMetrics, consistentEvals, EVAL_BOOKKEEPING } from "./eval_info.ts";
import { formatDuration } from "./format.ts";
import type { SamplePick } from "./samples.ts";
import { ImageEmbedder } from "./images.ts";
import { type PageModel, type PageSection, renderPage } from "./html.ts";
import { readVegaBuilds } from "./vega_assets.ts";
import { renderSvg } from "./svg.ts";
import { pngUnavailable, svgToPng } from "./png.ts";
import { InputError } from "../input_error.ts";
import { hyperparamSection, rungSection, searchBudgetSection, seedBandSection } from "./hparam_sections.ts";
import { backendsLabel, gridTable, problemsTable, STATES } from "./tables.ts";
import {
  ChartList,
  claimsSection,
  classesSection,
  curveSections,
  finalSection,
  type ReportView,
  samplesSection,
} from "./sections.ts";

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
  /**
   * Folder for chart SVG/PNG files (default: beside the HTML file, named after it: `<resultsDir>/report` for the
   * default `report.html`, `x/elsewhere/` for `--out x/elsewhere.html`); null: none.
   */
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
  /** `runs.csv`, beside the page: one row per run. */
  csv: string;
  /** Chart files written (SVG and PNG paths). */
  files: string[];
  /** The folder they were written to, or null for none. */
  chartDir: string | null;
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

/** Charts go beside the HTML file, in a folder named after it: `report.html` → `report/`. */
function defaultChartDir(out: string): string {
  const name = basename(out, extname(out));
  return join(dirname(out), name === basename(out) ? `${name}-charts` : name);
}

/**
 * Settle what the report shows from results already read: comparable evals, grid layout, heatmap keys, metric.
 *
 * @param results The sweep's results.
 * @param opts The layout choices (`facet`, `color`, `heatmap`, `metric`).
 * @returns What the sections are built from.
 * @throws {InputError} When `--metric` names a metric no run has.
 */
export function reportView(
  results: ExperimentResults,
  opts: Pick<ReportOptions, "facet" | "color" | "heatmap" | "metric">,
): ReportView {
  // Runs re-evaluated with another classifier or N keep only their latest evaluation's lines.
  const evalCheck = consistentEvals(results.runs);
  // A search's trials are configurations of their own (never pooled with other trials), a seeds phase's seeds repeats.
  const { grid, runs } = searchedGrid(results.experiment.grid, evalCheck.runs);
  const view = gridView(grid);
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
  return { results, evalCheck, runs, view, layout, heat, metrics, metric };
}

/** Read the results and settle what the report shows and where it goes. */
async function reportInputs(opts: ReportOptions): Promise<ReportView & { out: string; chartDir: string | null }> {
  const view = reportView(await readExperimentResults(opts.resultsDir), opts);
  const out = opts.out ?? join(opts.resultsDir, "report.html");
  const chartDir = opts.chartDir === undefined ? defaultChartDir(out) : opts.chartDir;
  requireWritable("--out", out);
  if (chartDir !== null) requireWritable("chart folder (--no-charts for none)", chartDir);
  if ((await Deno.stat(out).catch(() => null))?.isDirectory) {
    throw new InputError("--out", `${out} is a folder; expected the path of the HTML file to write`);
  }
  await ensureWritable("--out", dirname(out), "choose another --out");
  if (chartDir !== null) await ensureWritable("chart folder", chartDir, "choose another --out, or --no-charts");
  return { ...view, out, chartDir };
}

/**
 * The claims to show: `opts.claims` checked against the results, else those saved in `claims.json`.
 * @param opts Where the results are and the claims to check, if any.
 * @param results The results they are checked against.
 * @param notes Receives a note when `claims.json` is unreadable.
 */
export async function reportClaims(
  opts: Pick<ReportOptions, "resultsDir" | "claims">,
  results: ExperimentResults,
  notes: string[],
): Promise<CheckedClaim[]> {
  if (opts.claims) return checkClaimsOn(opts.claims, results.runs);
  const saved = await readClaims(opts.resultsDir);
  if (saved.note) notes.push(saved.note);
  return saved.claims;
}

/**
 * The page around the sections: facts, grid, run states, warnings, problems, footer.
 * @param r What the sections were built from.
 * @param sections The sections, in page order.
 * @param by The command named in the footer.
 */
export function pageModel(r: ReportView, sections: PageSection[], by = "deno task report"): PageModel {
  const { results, runs, view } = r;
  const { experiment } = results;
  const totalSeconds = runs.reduce((a, run) => a + (run.status?.seconds ?? 0), 0);
  const counts = STATES.map((s) => [s, runs.filter((run) => run.state === s).length] as [string, number])
    .filter(([s, n]) => n > 0 || (s !== "pending" && s !== "damaged"));
  return {
    title: experiment.name,
    description: experiment.description,
    facts: [
      ["runs", String(runs.length)],
      ["backend", backendsLabel(runs)],
      ["total training time", formatDuration(totalSeconds)],
      ["source", experiment.source || "—"],
      ["updated", experiment.updated || "—"],
    ],
    grid: gridTable(view, r.layout, r.heat.x, r.heat.y),
    statusCounts: counts,
    warnings: [
      ...results.warnings.map((w) => (w.runId === null ? "" : `${w.runId}: `) + w.message),
      ...r.evalCheck.warnings,
    ],
    problems: problemsTable(runs, view),
    sections,
    footer: `Generated ${new Date().toISOString()} by ${by} from ${results.dir}.`,
  };
}

/** Write each chart as `<id>.svg` (and `<id>.png` when wanted and possible) into `chartDir`; the paths written. */
async function writeCharts(
  charts: ChartList,
  chartDir: string,
  wantPng: boolean,
  notes: string[],
): Promise<string[]> {
  const files: string[] = [];
  await Deno.mkdir(chartDir, { recursive: true });
  const noPng = wantPng ? await pngUnavailable() : "not requested";
  if (wantPng && noPng !== null) notes.push(`PNG charts skipped: ${noPng}`);
  for (const c of charts.list) {
    let svg: string;
    try {
      svg = await renderSvg(c.spec);
    } catch (e) {
      // One chart Vega cannot draw from odd results is a line, not the end of the report.
      notes.push(`warning: chart ${c.id} could not be drawn (${(e as Error).message.split("\n")[0]}); no file for it`);
      continue;
    }
    const svgPath = join(chartDir, `${c.id}.svg`);
    await writeFileAtomic(svgPath, svg);
    files.push(svgPath);
    if (noPng === null) {
      const pngPath = join(chartDir, `${c.id}.png`);
      await writeFileAtomic(pngPath, await svgToPng(svg));
      files.push(pngPath);
    }
  }
  return files;
}

/**
 * The page's sections in order, each registering its charts with `charts`.
 * @param r What they are built from.
 * @param charts Receives the charts.
 * @param claims The checked claims shown first.
 * @param images Turns sample images into `src` values.
 * @param samples The sampling points (default first, middle, last).
 * @param metric `--metric`, when given (else the hyperparameter views rank by the pruning metric or the default).
 */
export async function reportSections(
  r: ReportView,
  charts: ChartList,
  claims: readonly CheckedClaim[],
  images: ImageEmbedder,
  samples: readonly SamplePick[] = ["first", "middle", "last"],
  metric?: string,
): Promise<PageSection[]> {
  return [
    ...claimsSection(claims),
    ...curveSections(r, charts),
    finalSection(r, charts),
    ...hyperparamSection(r, charts, metric),
    ...searchBudgetSection(r, charts, metric),
    ...seedBandSection(r, charts, metric),
    ...await rungSection(r, charts),
    ...classesSection(r, charts),
    await samplesSection(r, samples, images),
  ];
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
  const inputs = await reportInputs(opts);
  const { out, chartDir, results } = inputs;
  const notes: string[] = [];
  const charts = new ChartList();
  const claims = await reportClaims(opts, results, notes);
  const images = new ImageEmbedder(dirname(out), opts.embedBudgetBytes ?? 40e6);
  const sections = await reportSections(inputs, charts, claims, images, opts.samples, opts.metric);
  if (images.linked > 0) notes.push(`${images.linked} images were linked, not embedded (over the size budget)`);

  const model = pageModel(inputs, sections);
  const html = renderPage(model, await readVegaBuilds());
  await Deno.mkdir(dirname(out), { recursive: true });
  await writeFileAtomic(out, html);
  // The sweep in one table, beside the page: one row per run, for pandas, DuckDB or R.
  const csv = join(dirname(out), "runs.csv");
  await writeFileAtomic(csv, runsCsv(results.runs));
  const files = chartDir === null ? [] : await writeCharts(charts, chartDir, opts.png ?? true, notes);
  for (const w of model.warnings) notes.push(`warning: ${w}`);
  return { html: out, csv, files, chartDir, charts: charts.list.map((c) => c.id), notes, results, claims };
}
