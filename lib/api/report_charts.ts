/**
 * The report's charts as values: the same Vega-Lite specs `deno task report` draws (loss curves, D(x) and D(G(z)),
 * eval metrics, the final-value heatmap, the hyperparameter and seed views, rungs, class histograms), in page order.
 * @module
 */
import type { CheckedClaim } from "../claims/claims.ts";
import type { ReportOptions } from "../report/build_report.ts";
import { ChartList } from "../report/sections.ts";
import { ImageEmbedder } from "../report/images.ts";
import { Chart } from "./chart.ts";
import { loadResults, Results } from "./results.ts";
import { lateImport } from "../late_import.ts";

/** The report's layout choices (as `deno task report`'s `--facet`, `--color`, `--heatmap`, `--metric`). */
export type ChartOptions = Pick<ReportOptions, "facet" | "color" | "heatmap" | "metric">;

/**
 * Build the report's charts from a results folder or from results already read.
 *
 * @param results The results, or their folder.
 * @param options Layout choices; the report's defaults when absent.
 * @returns The charts, in the report's order, each with the report's id (e.g. `loss-linear`, `loss-log`, `health`,
 *   `heatmap`).
 * @throws {NotAnExperimentError} When a folder given is not a sweep's results.
 * @throws {InputError} When `metric` names a metric no run has, or a layout key is not in the grid.
 * @example The loss curves of the quick start, in a notebook
 * ```ts ignore
 * import { reportCharts } from "../mod.ts";
 * const charts = await reportCharts("../results/quickstart");
 * charts.find((c) => c.id === "loss-linear"); // the last expression of a cell: drawn inline
 * ```
 */
export async function reportCharts(results: Results | string, options: ChartOptions = {}): Promise<Chart[]> {
  const read = typeof results === "string" ? await loadResults(results) : results;
  // build_report.ts draws and writes the page; imported when asked, so `mod.ts` stays light.
  const { reportSections, reportView } = await lateImport<typeof import("../report/build_report.ts")>(
    new URL("../report/build_report.ts", import.meta.url),
  );
  const view = reportView(read.read, options);
  const charts = new ChartList();
  const noClaims: CheckedClaim[] = [];
  // A zero budget links sample images instead of reading them: only the charts are kept.
  await reportSections(view, charts, noClaims, new ImageEmbedder(read.dir, 0), undefined, options.metric);
  return charts.list.map((c) => new Chart(c.id, c.spec));
}
