/**
 * SVG to PNG with resvg (WebAssembly), using fonts found on the system.
 * @module
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { createRequire } from "node:module";

/** Font files tried, Helvetica-metric ones first. */
export const FONT_CANDIDATES = [
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
  "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
  "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
];

let ready: Promise<void> | null = null;
let fonts: Uint8Array[] | null = null;

async function loadFonts(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const path of FONT_CANDIDATES) {
    try {
      out.push(await Deno.readFile(path));
    } catch {
      // not installed: try the next one
    }
  }
  return out;
}

/**
 * Whether PNGs can be made here, and why not: resvg needs its wasm file and
 * at least one font (Debian `fonts-liberation` or `fonts-dejavu-core`).
 *
 * @returns null when ready, else the reason.
 */
export async function pngUnavailable(): Promise<string | null> {
  try {
    ready ??= (async () => {
      const wasm = createRequire(import.meta.url).resolve(
        "@resvg/resvg-wasm/index_bg.wasm",
      );
      await initWasm(await Deno.readFile(wasm));
    })();
    await ready;
  } catch (e) {
    return `resvg-wasm could not start: ${e instanceof Error ? e.message : e}`;
  }
  fonts ??= await loadFonts();
  if (fonts.length === 0) {
    return "no font found for text (install Debian fonts-liberation)";
  }
  return null;
}

/**
 * Rasterise an SVG document at a scale.
 *
 * @param svg SVG markup.
 * @param scale Zoom factor (2 gives crisp images on high-DPI screens).
 * @returns PNG bytes.
 * @throws {Error} When resvg or fonts are unavailable (see {@linkcode pngUnavailable}).
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const why = await pngUnavailable();
  if (why !== null) throw new Error(`Cannot make PNG: ${why}`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: {
      fontBuffers: fonts ?? [],
      defaultFontFamily: "Liberation Sans",
      sansSerifFamily: "Liberation Sans",
    },
  });
  const image = resvg.render();
  const png = image.asPng();
  image.free();
  resvg.free();
  return png;
}
