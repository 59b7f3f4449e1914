/**
 * A sweep's sample grids and progress GIFs as images: each one a value that shows itself in a notebook as
 * `image/png` (or `image/gif`), and the report's matrix of them over the grid as one HTML output.
 * @module
 */
import { Buffer } from "node:buffer";
import { join } from "@std/path";
import type { RunData } from "../results/read_results.ts";
import { sampleAt, type SamplePick, samplePoints } from "../report/samples.ts";
import { chooseLayout, comboLabel, formatValue, gridView } from "../report/grid_view.ts";
import { matrixLayout } from "../report/image_matrix.ts";
import { escapeHtml } from "../report/escape.ts";
import { JUPYTER_DISPLAY, type MediaBundle } from "./jupyter.ts";
import type { Results } from "./results.ts";

/** One image of a run: a sample grid (PNG) or its progress GIF. */
export class SampleImage {
  /**
   * @param runId The run.
   * @param gridValues The run's grid values.
   * @param caption What the image shows, e.g. `step 3000`.
   * @param mime `image/png` or `image/gif`.
   * @param bytes The file's bytes.
   * @param path The file.
   */
  constructor(
    readonly runId: string,
    readonly gridValues: Record<string, unknown>,
    readonly caption: string,
    readonly mime: "image/png" | "image/gif",
    readonly bytes: Uint8Array,
    readonly path: string,
  ) {}

  /** The image as a MIME bundle: the image itself and a line of text. */
  [JUPYTER_DISPLAY](): MediaBundle {
    return {
      [this.mime]: Buffer.from(this.bytes).toString("base64"),
      "text/plain": `<${this.runId}: ${this.caption}>`,
    };
  }
}

/** Which image of each run: a sampling point (as the report's `--samples`), or the progress GIF. */
export type SampleChoice = SamplePick | "gif";

async function readImage(run: RunData, path: string, caption: string): Promise<SampleImage | null> {
  const file = join(run.dir, path);
  try {
    const bytes = await Deno.readFile(file);
    return new SampleImage(
      run.id,
      run.gridValues,
      caption,
      path.endsWith(".gif") ? "image/gif" : "image/png",
      bytes,
      file,
    );
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Each run's image at `at`, in grid order (a run with none there has none). */
async function imagesAt(runs: readonly RunData[], at: SampleChoice): Promise<SampleImage[]> {
  const out: SampleImage[] = [];
  if (at === "gif") {
    for (const run of runs) {
      const image = run.gif === null ? null : await readImage(run, run.gif, "progress");
      if (image) out.push(image);
    }
    return out;
  }
  const { unit, points } = samplePoints(runs, [at]);
  const point = points[0];
  if (point === undefined) return out;
  for (const run of runs) {
    const s = sampleAt(run, point.at, unit);
    if (s === null) continue;
    const reached = unit === "epoch" ? s.epoch : s.step;
    const image = await readImage(run, s.path, `${unit} ${reached}${reached === point.at ? "" : " (last)"}`);
    if (image) out.push(image);
  }
  return out;
}

/** Sample images laid out over the grid as the report lays them out; shows itself as one HTML table. */
export class SampleMatrix {
  /**
   * @param title What the images show, e.g. `last samples`.
   * @param images The images, one per run at most.
   * @param grid The experiment's grid (for the layout).
   */
  constructor(
    readonly title: string,
    readonly images: readonly SampleImage[],
    readonly grid: Record<string, unknown[]>,
  ) {}

  /** The matrix as a MIME bundle: an HTML table of embedded images, and a text list. */
  [JUPYTER_DISPLAY](): MediaBundle {
    const view = gridView(this.grid);
    const layout = chooseLayout(view, {});
    const { rowDims, columns } = matrixLayout(view, layout);
    const rowLabels = [...new Set(this.images.map((i) => comboLabel(rowDims, i.gridValues)))];
    const cell = (i: SampleImage) =>
      `<figure style="display:inline-block;margin:2px"><img title="${escapeHtml(i.runId)}" src="data:${i.mime};base64,${
        Buffer.from(i.bytes).toString("base64")
      }"><figcaption style="font-size:smaller">${escapeHtml(i.caption)}</figcaption></figure>`;
    const head = `<tr><th>${escapeHtml(layout.facet?.key ?? "")}</th>${
      columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")
    }</tr>`;
    const rows = rowLabels.map((label) =>
      `<tr><th>${escapeHtml(label)}</th>${
        columns.map((col) =>
          `<td>${
            this.images.filter((i) =>
              comboLabel(rowDims, i.gridValues) === label &&
              (layout.facet === null || formatValue(i.gridValues[layout.facet.key]) === col)
            ).map(cell).join("")
          }</td>`
        ).join("")
      }</tr>`
    ).join("\n");
    return {
      "text/html": `<table><caption style="text-align:left;font-weight:bold">${
        escapeHtml(this.title)
      }</caption>${head}\n${rows}</table>`,
      "text/plain": [this.title, ...this.images.map((i) => `${i.runId}: ${i.caption}`)].join("\n"),
    };
  }
}

/**
 * Each run's sample grid at one point of training (the latest at or before it), or its progress GIF.
 *
 * @param results The results.
 * @param at `"first"`, `"middle"`, `"last"` (default), an epoch or step number (the unit the runs sample in), or
 *   `"gif"` for the progress GIFs.
 * @returns The images, one per run that has one, laid out as the report's sample matrix.
 * @example The last sample grids of the quick start, in a notebook
 * ```ts ignore
 * import { loadResults, sampleImages } from "../mod.ts";
 * const grids = await sampleImages(await loadResults("../results/quickstart"));
 * grids; // one HTML output; `grids.images[0]` alone is an image/png output
 * ```
 */
export async function sampleImages(results: Results, at: SampleChoice = "last"): Promise<SampleMatrix> {
  const title = at === "gif" ? "progress GIFs" : typeof at === "number" ? `samples at ${at}` : `${at} samples`;
  return new SampleMatrix(title, await imagesAt(results.runs, at), results.experiment.grid);
}
