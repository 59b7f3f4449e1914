/**
 * A Vega-Lite chart as a notebook output: the spec under the MIME type of its own Vega-Lite version, a static PNG
 * of it (drawn here, as the report's chart files are), and, when the version is newer than the Vega-Lite that
 * JupyterLab's renderer bundles (5), an HTML fallback that draws it with the harness's own vega-embed.
 * @module
 */
import { Buffer } from "node:buffer";
import type { ChartSpec } from "../report/specs.ts";
import { escapeHtml, jsonForScript } from "../report/escape.ts";
import { JUPYTER_DISPLAY, type MediaBundle } from "./jupyter.ts";
import { lateImport } from "../late_import.ts";

/** The newest Vega-Lite major version JupyterLab 4 renders itself (`@jupyterlab/vega5-extension`: v3 to v5). */
export const JUPYTERLAB_VEGALITE = 5;

/**
 * The Vega-Lite major version a spec's `$schema` names.
 *
 * @param spec A Vega-Lite spec.
 * @returns The major version, e.g. 6 for `https://vega.github.io/schema/vega-lite/v6.json`.
 * @throws {TypeError} When `$schema` is not a Vega-Lite schema URL.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { vegaLiteVersion } from "./chart.ts";
 * assertEquals(vegaLiteVersion({ $schema: "https://vega.github.io/schema/vega-lite/v6.json" }), 6);
 * ```
 */
export function vegaLiteVersion(spec: ChartSpec): number {
  const m = /\/vega-lite\/v(\d+)(?:\.\d+)*\.json$/.exec(String(spec.$schema));
  if (m === null) {
    throw new TypeError(
      `Cannot tell the Vega-Lite version of a spec whose $schema is ${JSON.stringify(spec.$schema)}: expected ` +
        "a URL such as https://vega.github.io/schema/vega-lite/v6.json",
    );
  }
  return Number(m[1]);
}

/**
 * The MIME type of a Vega-Lite spec: `application/vnd.vegalite.v<major>+json`.
 * @param spec A Vega-Lite spec.
 * @returns Its MIME type.
 * @throws {TypeError} When `$schema` is not a Vega-Lite schema URL.
 */
export function vegaLiteMime(spec: ChartSpec): string {
  return `application/vnd.vegalite.v${vegaLiteVersion(spec)}+json`;
}

let chartsShown = 0;
let runtimeSent = false;

/**
 * The HTML fallback of a spec JupyterLab cannot render itself: the static image, replaced by an interactive
 * vega-embed view where the page has vega-embed. The first fallback of a kernel session carries the Vega,
 * Vega-Lite and vega-embed builds (read from node_modules, as the report's page does: no network); a trusted
 * notebook runs them, an untrusted one keeps the image.
 */
async function htmlFallback(spec: ChartSpec, image: { mime: string; base64: string } | null): Promise<string> {
  const id = `gan-harness-chart-${Date.now().toString(36)}-${chartsShown++}`;
  const title = typeof spec.title === "string" ? spec.title : "chart";
  const img = image === null ? "" : `<img alt="${escapeHtml(title)}" src="data:${image.mime};base64,${image.base64}">`;
  let runtime = "";
  if (!runtimeSent) {
    const { readVegaBuilds } = await lateImport<typeof import("../report/vega_assets.ts")>(
      new URL("../report/vega_assets.ts", import.meta.url),
    );
    const builds = await readVegaBuilds().catch(() => null);
    if (builds !== null) {
      runtime = builds.map((b) => `<script>${b}</script>`).join("\n");
      runtimeSent = true;
    }
  }
  return `${runtime}<div id="${id}">${img}</div>
<script type="application/json" id="${id}-spec">${jsonForScript(spec)}</script>
<script>(() => {
  const el = document.getElementById(${JSON.stringify(id)});
  const spec = JSON.parse(document.getElementById(${JSON.stringify(`${id}-spec`)}).textContent);
  if (el && window.vegaEmbed) window.vegaEmbed(el, spec, { actions: false }).catch(() => {});
})();</script>`;
}

/**
 * The chart's static image: PNG where resvg has a font, else SVG; null when Vega cannot draw the spec.
 * @param spec A Vega-Lite spec with inline data.
 */
async function staticImage(spec: ChartSpec): Promise<{ mime: string; base64: string; svg: string } | null> {
  const { renderSvg } = await lateImport<typeof import("../report/svg.ts")>(
    new URL("../report/svg.ts", import.meta.url),
  );
  let svg: string;
  try {
    svg = await renderSvg(spec);
  } catch {
    return null;
  }
  const { pngUnavailable, svgToPng } = await lateImport<typeof import("../report/png.ts")>(
    new URL("../report/png.ts", import.meta.url),
  );
  if (await pngUnavailable() === null) {
    return { mime: "image/png", base64: Buffer.from(await svgToPng(svg)).toString("base64"), svg };
  }
  return { mime: "image/svg+xml", base64: Buffer.from(svg).toString("base64"), svg };
}

/**
 * A Vega-Lite spec as a MIME bundle: the spec under its own version's MIME type; a static PNG (SVG where no font
 * is installed); for a version above {@linkcode JUPYTERLAB_VEGALITE}, an HTML fallback with vega-embed (which
 * JupyterLab then shows, as it has no renderer for that version); and a line of text.
 *
 * @param spec A Vega-Lite spec with inline data.
 * @param label The chart's name in the text form (default: the spec's title).
 * @returns The bundle.
 * @throws {TypeError} When `$schema` is not a Vega-Lite schema URL.
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { chartBundle } from "./chart.ts";
 * const bundle = await chartBundle({
 *   $schema: "https://vega.github.io/schema/vega-lite/v6.json",
 *   data: { values: [{ x: 1, y: 2 }, { x: 2, y: 1 }] },
 *   mark: "line",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * });
 * assert("application/vnd.vegalite.v6+json" in bundle);
 * ```
 */
export async function chartBundle(spec: ChartSpec, label?: string): Promise<MediaBundle> {
  const version = vegaLiteVersion(spec);
  const image = await staticImage(spec);
  const title = label ??
    (typeof spec.title === "string"
      ? spec.title
      : typeof (spec.title as { text?: unknown } | undefined)?.text === "string"
      ? (spec.title as { text: string }).text
      : "chart");
  const bundle: MediaBundle = { [vegaLiteMime(spec)]: spec, "text/plain": `<Vega-Lite chart: ${title}>` };
  if (image !== null) bundle[image.mime] = image.mime === "image/svg+xml" ? image.svg : image.base64;
  if (version > JUPYTERLAB_VEGALITE) bundle["text/html"] = await htmlFallback(spec, image);
  return bundle;
}

/** One chart of a report: its id (the report's chart file name) and Vega-Lite spec; shows itself in a notebook. */
export class Chart {
  /**
   * @param id The chart's id, e.g. `loss-linear` (as `results/<experiment>/report/<id>.svg`).
   * @param spec Its Vega-Lite spec, data inline.
   */
  constructor(readonly id: string, readonly spec: ChartSpec) {}

  /** The chart as a MIME bundle (see {@linkcode chartBundle}). */
  [JUPYTER_DISPLAY](): Promise<MediaBundle> {
    return chartBundle(this.spec, this.id);
  }

  /** The chart drawn as SVG markup, as the report writes it. */
  async svg(): Promise<string> {
    const { renderSvg } = await lateImport<typeof import("../report/svg.ts")>(
      new URL("../report/svg.ts", import.meta.url),
    );
    return renderSvg(this.spec);
  }

  /** The chart drawn as PNG bytes (2× scale), as the report writes it. */
  async png(): Promise<Uint8Array> {
    const { svgToPng } = await lateImport<typeof import("../report/png.ts")>(
      new URL("../report/png.ts", import.meta.url),
    );
    return svgToPng(await this.svg());
  }
}
