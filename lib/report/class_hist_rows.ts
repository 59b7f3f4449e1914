/**
 * The rows of the report's class-histogram chart: each run's last evaluated class shares, placed like the charts.
 * @module
 */
import type { RunData } from "../results/read_results.ts";
import { type ChartLayout, comboLabel, formatValue, type GridView } from "./grid_view.ts";
import type { ClassHistRow } from "./specs.ts";
import { lastClassHist } from "./eval_info.ts";

/**
 * The class histogram chart's rows: each run's last histogram (a row per class), or
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
    const collapsed = hist.covered <= hist.shares.length / 2; // half the classes or fewer
    const note = `${hist.covered} of ${hist.shares.length} classes${state}`;
    hist.shares.forEach((share, cls) => {
      rows.push({ ...base, cls, share, note: cls === 0 ? note : "", collapsed, step: hist.step });
    });
  }
  return rows;
}
