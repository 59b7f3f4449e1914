/**
 * The live report's content at one moment: the same sections as the static
 * report, built from results followed by {@linkcode LiveResults}.
 * @module
 */
import type { ExperimentResults } from "../results/read_results.ts";
import { pageModel, reportClaims, type ReportOptions, reportSections, reportView } from "./build_report.ts";
import { ChartList } from "./sections.ts";
import { ImageEmbedder } from "./images.ts";
import { renderRegions } from "./html.ts";
import type { LiveModel } from "./live_diff.ts";

/** The layout choices of a live report (as for the static one). */
export type LiveOptions = Pick<ReportOptions, "resultsDir" | "facet" | "color" | "heatmap" | "metric" | "samples">;

/**
 * Build the live report from the results as they are now. Images are linked (served beside the page), never
 * embedded; a `--metric` no run has logged yet falls back to the default until one does.
 *
 * @param results The followed results.
 * @param opts Layout choices.
 * @returns The regions and charts.
 */
export async function liveModel(results: ExperimentResults, opts: LiveOptions): Promise<LiveModel> {
  const notes: string[] = [];
  let view;
  try {
    view = reportView(results, opts);
  } catch {
    view = reportView(results, { ...opts, metric: undefined });
  }
  const claims = await reportClaims(opts, results, notes);
  const charts = new ChartList();
  const sections = await reportSections(
    view,
    charts,
    claims,
    new ImageEmbedder(opts.resultsDir, 0),
    opts.samples,
    view.metric === opts.metric ? opts.metric : undefined,
  );
  const model = pageModel(view, sections, "deno task report --serve");
  model.warnings.push(...notes);
  return { regions: renderRegions(model, false), charts: charts.list };
}
