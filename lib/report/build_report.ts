/**
 * Build the comparison report of one sweep: read its result folder, build the
 * charts, write `report.html` and the charts as SVG (and PNG).
 * @module
 */
import { checkClaimsOn, type CheckedClaim, type Claim, claimsFile } from "../claims.ts";
import { dirname, join } from "@std/path";
import { writeFileAtomic } from "../atomic_write.ts";
import { requireWritable } from "../cli.ts";
import { type ExperimentResults, readExperimentResults, type RunData, type RunState } from "./read_results.ts";
import {
  type ChartLayout,
  chooseHeatmapDims,
  chooseLayout,
  comboLabel,
  formatValue,
  type GridDim,
  type GridView,
  gridView,
} from "./grid_view.ts";
import { curveRows } from "./curve_rows.ts";
import {
  availableMetrics,
  evalMetricNames,
  type GroupSummary,
  summarizeGroups,
  TRAINING_METRICS,
} from "./final_values.ts";
import {
  type ChartSpec,
  type ClassHistRow,
  classHistSpec,
  healthSpec,
  type HeatCell,
  heatmapSpec,
  lossSpec,
  metricsSpec,
} from "./specs.ts";
import {
  betterDirection,
  chartedEvalMetrics,
  consistentEvals,
  EVAL_BOOKKEEPING,
  lastClassHist,
  metricTitle,
  setupsLabel,
} from "./eval_info.ts";
import { formatDuration, formatNumber } from "./format.ts";
import { sampleAt, type SamplePick, samplePoints } from "./samples.ts";
import { ImageEmbedder } from "./images.ts";
import {
  type ImageMatrix,
  type MatrixImage,
  type PageChart,
  type PageModel,
  type PageSection,
  renderPage,
  type TextTable,
} from "./html.ts";
import { readVegaBuilds } from "./vega_assets.ts";
import { renderSvg } from "./svg.ts";
import { pngUnavailable, svgToPng } from "./png.ts";
import { InputError } from "../input_error.ts";

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

const STATES: RunState[] = [
  "completed",
  "running",
  "stopped",
  "diverged",
  "failed",
  "pending",
];

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

function stateSummary(states: GroupSummary["states"]): string {
  return STATES.flatMap((s) => (states[s] ?? 0) > 0 ? [`${states[s]} ${s}`] : [])
    .join(", ");
}

function heatCells(
  groups: readonly GroupSummary[],
  dims: { x: GridDim | null; y: GridDim | null; rest: GridDim[] },
  metric: string,
): HeatCell[] {
  return groups.map((g) => {
    const s = g.stats[metric];
    const lost = (g.states.diverged ?? 0) + (g.states.failed ?? 0);
    let text: string;
    if (s === undefined) {
      text = STATES.find((st) => st !== "completed" && (g.states[st] ?? 0) > 0) ??
        "no value";
    } else {
      text = s.n > 1 ? `${formatNumber(s.mean)} ± ${formatNumber(s.sd)}` : formatNumber(s.mean);
      if (lost > 0) text += `\n${lost} of ${g.runs.length} lost`;
    }
    return {
      x: dims.x === null ? "" : formatValue(g.gridValues[dims.x.key]),
      y: dims.y === null ? "" : formatValue(g.gridValues[dims.y.key]),
      facet: comboLabel(dims.rest, g.gridValues),
      mean: s?.mean ?? null,
      text,
      hasValue: s !== undefined,
      detail: `${g.label} (${stateSummary(g.states)})`,
    };
  });
}

function finalTable(
  groups: readonly GroupSummary[],
  view: GridView,
  metrics: readonly string[],
): TextTable {
  const seeds = view.seed !== null;
  return {
    head: [
      ...(view.compare.length > 0 ? view.compare.map((d) => d.key) : ["grid point"]),
      "runs",
      ...metrics.map((m) => seeds ? `${m} (mean ± sd)` : m),
    ],
    rows: groups.map((g) => ({
      cells: [
        ...(view.compare.length > 0 ? view.compare.map((d) => formatValue(g.gridValues[d.key])) : ["all"]),
        stateSummary(g.states),
        ...metrics.map((m) => {
          const s = g.stats[m];
          if (s === undefined) return "—";
          return s.n > 1 ? `${formatNumber(s.mean)} ± ${formatNumber(s.sd)} (n=${s.n})` : formatNumber(s.mean);
        }),
      ],
    })),
  };
}

function problemsTable(runs: readonly RunData[], view: GridView): TextTable {
  const varying = view.dims.filter((d) => d.labels.length > 1);
  const rows = runs.filter((r) => r.state !== "completed").map((r) => {
    const st = r.status;
    const where = st === null
      ? "not started"
      : `step ${st.diverged?.step ?? st.step} of ${st.totalSteps} (epoch ${st.epoch})`;
    let why = "";
    let details: string | undefined;
    if (r.state === "diverged") {
      why = st?.diverged?.reason ?? "diverged (no reason recorded)";
      const lf = st?.diverged?.lastFinite;
      if (lf) {
        why += "; last finite: " +
          Object.entries(lf).map(([k, v]) => `${k}=${formatNumber(v)}`).join(
            ", ",
          );
      }
    } else if (r.state === "failed") {
      const err = st?.error ?? "failed (no error recorded)";
      why = err.split("\n")[0] ?? err;
      if (err.includes("\n")) details = err;
    } else if (r.state === "running") {
      why = `still training (status updated ${st?.updated ?? "?"})`;
    } else if (r.state === "stopped") {
      why = `stopped at step ${st?.step ?? "?"} with a checkpoint there (${
        st?.updated ?? "?"
      }); the same sweep command continues it`;
    } else {
      why = "no status.json yet";
    }
    const row: TextTable["rows"][number] = {
      cells: [r.id, comboLabel(varying, r.gridValues), r.state, where, why],
      state: r.state,
    };
    if (details !== undefined) row.details = details;
    return row;
  });
  return { head: ["run", "grid values", "status", "where", "why"], rows };
}

function matrixLayout(view: GridView, layout: ChartLayout) {
  const rowDims = view.compare.filter((d) => d !== layout.facet);
  return { rowDims, columns: layout.facet?.labels ?? ["all runs"] };
}

async function imageMatrix(
  title: string,
  kind: "sample" | "gif",
  runs: readonly RunData[],
  view: GridView,
  layout: ChartLayout,
  pick: (run: RunData) => { path: string; caption: string } | null,
  images: ImageEmbedder,
): Promise<ImageMatrix> {
  const { rowDims, columns } = matrixLayout(view, layout);
  const rowLabels = [
    ...new Set(runs.map((r) => comboLabel(rowDims, r.gridValues))),
  ];
  const rows = [];
  for (const label of rowLabels) {
    const cells: MatrixImage[][] = [];
    for (const col of columns) {
      const members = runs.filter((r) =>
        comboLabel(rowDims, r.gridValues) === label &&
        (layout.facet === null ||
          formatValue(r.gridValues[layout.facet.key]) === col)
      );
      const cell: MatrixImage[] = [];
      for (const run of members) {
        const p = pick(run);
        const src = p === null ? null : await images.src(join(run.dir, p.path));
        const seed = view.seed === null ? "" : `seed ${formatValue(run.gridValues.seed)} · `;
        const state = run.state === "completed" ? "" : ` · ${run.state}`;
        cell.push({
          src,
          caption: `${seed}${p?.caption ?? "no sample"}${state}`,
          state: run.state,
          title: run.id,
        });
      }
      cells.push(cell);
    }
    rows.push({ label, cells });
  }
  return {
    title,
    columnTitle: layout.facet?.key ?? null,
    columns,
    rows,
    kind,
  };
}

/**
 * The class histogram chart's rows: each run's last histogram (ten rows), or
 * one placeholder row for a run that has none; pending runs are left out.
 *
 * @param runs The runs.
 * @param view The grid.
 * @param layout Facet key (columns); rows are the other compared keys and the seed.
 * @returns The rows for {@linkcode classHistSpec}.
 */
export function classHistRows(runs: readonly RunData[], view: GridView, layout: ChartLayout): ClassHistRow[] {
  const varying = view.dims.filter((d) => d.labels.length > 1);
  const rowDims = [...view.compare.filter((d) => d !== layout.facet), ...(view.seed === null ? [] : [view.seed])];
  const rows: ClassHistRow[] = [];
  for (const run of runs) {
    if (run.state === "pending") continue;
    const hist = lastClassHist(run);
    const base = {
      run: run.id,
      label: varying.length > 0 ? comboLabel(varying, run.gridValues) : run.id,
      col: layout.facet === null ? "all" : formatValue(run.gridValues[layout.facet.key]),
      row: comboLabel(rowDims, run.gridValues),
    };
    const state = run.state === "completed" ? "" : ` · ${run.state}`;
    if (hist === null) {
      rows.push({ ...base, cls: 0, share: null, note: `no class histogram${state}`, collapsed: false, step: null });
      continue;
    }
    const collapsed = hist.covered <= 5;
    const note = `${hist.covered} of 10 classes${state}`;
    hist.shares.slice(0, 10).forEach((share, cls) => {
      rows.push({ ...base, cls, share, note: cls === 0 ? note : "", collapsed, step: hist.step });
    });
  }
  return rows;
}

function backendsLabel(runs: readonly RunData[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) {
    if (r.config === null) continue;
    const b = r.config.backend;
    const name = b?.name ?? "?";
    const device = b?.device ?? "?";
    // the device often names the backend already: "wasm SIMD, 1 thread on cpu"
    const key = device.toLowerCase().startsWith(name.toLowerCase()) ? device : `${name} on ${device}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return "—";
  return [...counts].map(([k, n]) => counts.size > 1 ? `${k} (${n} runs)` : k)
    .join("; ");
}

function gridTable(
  view: GridView,
  layout: ChartLayout,
  hx: GridDim | null,
  hy: GridDim | null,
) {
  const role = (d: GridDim): string => {
    if (d.labels.length <= 1) return "fixed";
    if (d === view.seed) return "seeds (pooled: mean ± sd)";
    const roles: string[] = [];
    if (d === layout.facet) roles.push("columns");
    if (d === layout.color) roles.push("colour");
    if (layout.rest.includes(d)) roles.push("dash / rows");
    if (d === hx) roles.push("heatmap x");
    if (d === hy) roles.push("heatmap y");
    return roles.join(", ");
  };
  return {
    head: ["key", "values", "shown as"],
    rows: view.dims.map((d) => ({
      cells: [d.key, d.labels.join(", "), role(d)],
    })),
  };
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
 * @throws {RangeError} When a requested key or metric does not exist.
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
