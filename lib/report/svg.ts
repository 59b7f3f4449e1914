/**
 * Render Vega-Lite specs to SVG text in Deno (no browser, no canvas).
 * @module
 */
import * as vega from "vega";
import { compileSpec } from "./compile.ts";
import type { ChartSpec } from "./specs.ts";
import { installTextMetrics, type VegaTextMetrics } from "./text_metrics.ts";

let installed = false;

/**
 * Render a Vega-Lite spec to a standalone SVG document, measuring text with
 * Helvetica widths (see `text_metrics.ts`).
 *
 * @param spec A Vega-Lite spec with inline data.
 * @returns The SVG markup.
 * @throws {Error} When the spec does not compile or render.
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  if (!installed) {
    installTextMetrics(
      (vega as unknown as { textMetrics: VegaTextMetrics }).textMetrics,
    );
    installed = true;
  }
  const { vega: compiled } = compileSpec(spec);
  const view = new vega.View(vega.parse(compiled as vega.Spec), {
    renderer: "none",
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
