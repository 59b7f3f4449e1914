/**
 * The report's hyperparameter sections: parallel coordinates and the final metric against each swept key, curves
 * pooled over seeds as mean ± range, the rungs of successive halving, and a search's trials per cell.
 * @module
 */
import type { RunData } from "../results/read_results.ts";
import type { PageSection } from "./html.ts";
import type { ChartList, ReportView } from "./sections.ts";
import { betterDirection } from "./eval_info.ts";
import { evalMetricNames } from "./final_values.ts";
import { axisKind, bandRows, parallelRows, runConfig, scatterRows, seedGroups, sweptKeys } from "./hparam_rows.ts";
import { bandSpec, budgetSpec, parallelSpec, rungSpec, scatterSpec, trialSpec } from "./hparam_specs.ts";
import { bestTrialTable, budgetRows, cellKeys, trialRows } from "./search_budget.ts";
import { computeSaved, readRungBook, rungRows, survivorTable } from "./rung_view.ts";

/**
 * The metric the hyperparameter views rank by: the one ASHA pruned on (from a pruned run's `status.json`) unless
 * `--metric` chose one, else the report's metric.
 * @param r The report's view.
 * @param chosen `--metric`, when given.
 */
export function rankMetric(r: ReportView, chosen?: string): string | null {
  if (chosen !== undefined) return chosen;
  const pruned = r.runs.find((run: RunData) => run.status?.pruned?.metric)?.status?.pruned?.metric;
  return pruned !== undefined && r.metrics.includes(pruned) ? pruned : r.metric;
}

/**
 * Parallel coordinates and metric-vs-hyperparameter panels (none when fewer than one key varies).
 * @param r The report's view.
 * @param charts Receives the charts.
 * @param chosen `--metric`, when given.
 */
export function hyperparamSection(r: ReportView, charts: ChartList, chosen?: string): PageSection[] {
  const keys = sweptKeys(r.runs);
  if (keys.length === 0) return [];
  const metric = rankMetric(r, chosen);
  if (metric === null) {
    return [{
      id: "hparams",
      title: "Hyperparameters",
      items: [{ kind: "text", text: "No run has logged a value yet." }],
    }];
  }
  const better = betterDirection(metric);
  const { rows, ticks } = parallelRows(r.runs, keys, metric);
  const configs = r.runs.map(runConfig);
  const kinds = new Map(keys.map((k) => [k, axisKind(k, configs.map((c) => c[k]))]));
  const logKeys = keys.filter((k) => kinds.get(k) === "log");
  return [{
    id: "hparams",
    title: `Hyperparameters: ${metric}`,
    note: `Each line is a run across the config keys that vary (read from each run's config.json) and its final ` +
      `${metric}${better === null ? "" : ` (${better} is better; brighter lines are better)`}. ` +
      "Dashed, faded lines stopped early (diverged, failed, pruned or collapsed); grey lines have no value yet. " +
      (logKeys.length ? `Log scale for ${logKeys.join(", ")}. ` : "") +
      "Below: the final value against each key, one point per run.",
    items: [
      { kind: "chart", chart: charts.add("parallel", parallelSpec(rows, ticks, [...keys, metric], metric, better)) },
      {
        kind: "chart",
        chart: charts.add("scatter", scatterSpec(scatterRows(r.runs, keys, metric), keys, kinds, metric, better)),
      },
    ],
  }];
}

/**
 * D and G losses (and the ranking metric, when it is an eval metric) as mean ± range over the seeds of each config
 * (none when no two runs differ only in seed).
 * @param r The report's view.
 * @param charts Receives the chart.
 * @param chosen `--metric`, when given.
 */
export function seedBandSection(r: ReportView, charts: ChartList, chosen?: string): PageSection[] {
  const groups = seedGroups(r.runs);
  if (groups.size === 0) return [];
  const metric = rankMetric(r, chosen);
  const evalMetric = metric !== null && evalMetricNames(r.runs).includes(metric) ? metric : null;
  const metrics = [
    { field: "dLoss", name: "D loss", source: "steps" as const },
    { field: "gLoss", name: "G loss", source: "steps" as const },
    ...(evalMetric === null ? [] : [{ field: evalMetric, name: evalMetric, source: "evals" as const }]),
  ];
  const rows = bandRows(groups, metrics);
  const names = metrics.map((m) => m.name).filter((n) => rows.some((row) => row.metric === n));
  const sizes = [...new Set([...groups.values()].map((g) => g.length))].sort((a, b) => a - b);
  return [{
    id: "seeds",
    title: "Over seeds",
    note: `Runs whose configs differ only in seed (${groups.size} configs, ${sizes.join(" or ")} seeds each), ` +
      "pooled: the line is the mean over the seeds that logged each step, the band runs from the least to the " +
      "greatest of them.",
    items: [{ kind: "chart", chart: charts.add("seed-bands", bandSpec(rows, names)) }],
  }];
}

/**
 * The rung view of a sweep that pruned (none without `rungs.jsonl`): the metric at each rung per trial, the values
 * the survivors share, and the steps trained against every trial's full budget.
 * @param r The report's view.
 * @param charts Receives the chart.
 * @returns The section; a line per unreadable decision joins the results' warnings.
 */
export async function rungSection(r: ReportView, charts: ChartList): Promise<PageSection[]> {
  const book = await readRungBook(r.results.dir);
  if (book === null) return [];
  r.results.warnings.push(...book.warnings.map((message) => ({ runId: null, message })));
  const rows = rungRows(book.lines);
  const metric = r.runs.find((run) => run.status?.pruned?.metric)?.status?.pruned?.metric ?? "metric";
  const saved = computeSaved(r.runs);
  const share = saved.budget > 0 ? 1 - saved.trained / saved.budget : 0;
  const prunedNow = new Set(rows.filter((row) => row.pruned).map((row) => row.run)).size;
  const trialsAtRungs = new Set(rows.map((row) => row.run)).size;
  const savedText = `Compute: ${saved.trained.toLocaleString("en-US")} steps trained of the ` +
    `${saved.budget.toLocaleString("en-US")} that ${saved.trials} trials at full budget would take ` +
    `(${
      (100 * share).toFixed(1)
    }% saved). ${prunedNow} of the ${trialsAtRungs} trials that reached a rung stand pruned.`;
  return [{
    id: "rungs",
    title: `Successive halving: ${metric} at each rung`,
    note: "Each line is a trial's metric at the rungs it reached (from rungs.jsonl); faded grey lines are trials " +
      "that stand pruned, crosses their prune decisions, red rings promotions (a pruned trial that the rung, once " +
      "fuller, ranked among the best after all).",
    items: rows.length === 0
      ? [{ kind: "text", text: "No trial has reached a rung yet." }, { kind: "text", text: savedText }]
      : [
        { kind: "chart", chart: charts.add("rungs", rungSpec(rows, metric, betterDirection(metric))) },
        { kind: "text", text: savedText },
        { kind: "table", table: survivorTable(r.runs, rows) },
      ],
  }];
}

/**
 * A search's trials per grid cell (none without a search, or with no cell of two trials with a value): the
 * distribution of the final metric over each cell's trials, the expected best of k trials against k (the study's
 * "budget" plot), and each cell's best trial.
 * @param r The report's view.
 * @param charts Receives the charts.
 * @param chosen `--metric`, when given.
 */
export function searchBudgetSection(r: ReportView, charts: ChartList, chosen?: string): PageSection[] {
  const metric = rankMetric(r, chosen);
  if (metric === null) return [];
  const grid = r.results.experiment.grid;
  const trials = trialRows(r.runs, grid, metric);
  const better = betterDirection(metric);
  const budget = budgetRows(trials, better);
  if (budget.length === 0) return [];
  const keys = cellKeys(grid);
  const unfinished = trials.filter((t) => t.state !== "completed").length;
  return [{
    id: "search-budget",
    title: `Search budget: ${metric} over trials`,
    note: `Each cell${keys.column === null ? "" : ` (columns: ${keys.column})`} holds a search's trials ` +
      `(${trials.length} with a value). Above: the final ${metric} of every trial, the box from least to greatest ` +
      `with its quartiles and median. ` +
      (unfinished > 0
        ? `${unfinished} of them ${unfinished === 1 ? "has" : "have"} not completed: each shows its value at ` +
          "the last evaluation it reached (a pruned trial's at the rung where it was judged among the worse). "
        : "") +
      `Below: the expected best ${metric} of k trials drawn from the cell's (with replacement, exactly: no ` +
      "random resampling), the band from its 10% to its 90% quantile: which setting a search of k trials finds, " +
      "as Lucic et al. (2018) compare losses at equal budget.",
    items: [
      { kind: "chart", chart: charts.add("trials", trialSpec(trials, keys, metric, better)) },
      { kind: "chart", chart: charts.add("search-budget", budgetSpec(budget, keys, metric, better)) },
      { kind: "table", table: bestTrialTable(trials, better, metric) },
    ],
  }];
}
