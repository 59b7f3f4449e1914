/**
 * The sample-grid matrix of the report: each run's fixed-noise grid at the chosen sampling points, laid out like the charts.
 * @module
 */
import { join } from "@std/path";
import type { RunData } from "../results/read_results.ts";
import { type ChartLayout, comboLabel, formatValue, type GridView } from "./grid_view.ts";
import { ImageEmbedder } from "./images.ts";
import { type ImageMatrix, type MatrixImage } from "./html.ts";

/** The matrix's rows (grid keys other than the facet) and columns (the facet's values), as the charts are laid out. */
export function matrixLayout(view: GridView, layout: ChartLayout) {
  const rowDims = view.compare.filter((d) => d !== layout.facet);
  return { rowDims, columns: layout.facet?.labels ?? ["all runs"] };
}

/** One image per run and column, `pick`ed from each run (a sample grid, or the progress GIF), embedded in the page. */
export async function imageMatrix(
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
