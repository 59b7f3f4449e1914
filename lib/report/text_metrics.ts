/**
 * Text measurement for Vega without a canvas: Helvetica/Arial advance widths.
 *
 * Vega sizes axes, legends and titles by measuring text. Deno has no 2d canvas,
 * so Vega falls back to `0.8 × length × fontSize`, which is far too wide for
 * lowercase text and too narrow for capitals, so labels are clipped or float.
 * {@linkcode installTextMetrics} plugs a table-based measurer into Vega's
 * `textMetrics.width` hook. The widths are the Adobe Helvetica AFM advances
 * (units per 1000 em); Arial and Liberation Sans share them.
 * @module
 */

const ASCII_FIRST = 32;

// Helvetica regular, characters 32..126.
const REGULAR = [
  278,
  278,
  355,
  556,
  556,
  889,
  667,
  191,
  333,
  333,
  389,
  584,
  278,
  333,
  278,
  278,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  278,
  278,
  584,
  584,
  584,
  556,
  1015,
  667,
  667,
  722,
  722,
  667,
  611,
  778,
  722,
  278,
  500,
  667,
  556,
  833,
  722,
  778,
  667,
  778,
  722,
  667,
  611,
  722,
  667,
  944,
  667,
  667,
  611,
  278,
  278,
  278,
  469,
  556,
  333,
  556,
  556,
  500,
  556,
  556,
  278,
  556,
  556,
  222,
  222,
  500,
  222,
  833,
  556,
  556,
  556,
  556,
  333,
  500,
  278,
  556,
  500,
  722,
  500,
  500,
  500,
  334,
  260,
  334,
  584,
];

// Helvetica bold, characters 32..126.
const BOLD = [
  278,
  333,
  474,
  556,
  556,
  889,
  722,
  238,
  333,
  333,
  389,
  584,
  278,
  333,
  278,
  278,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  556,
  333,
  333,
  584,
  584,
  584,
  611,
  975,
  722,
  722,
  722,
  722,
  667,
  611,
  778,
  722,
  278,
  556,
  722,
  611,
  833,
  722,
  778,
  667,
  778,
  722,
  667,
  611,
  722,
  667,
  944,
  667,
  667,
  611,
  333,
  278,
  333,
  584,
  556,
  333,
  556,
  611,
  556,
  611,
  556,
  333,
  611,
  611,
  278,
  278,
  556,
  278,
  889,
  611,
  611,
  611,
  611,
  389,
  556,
  333,
  611,
  556,
  778,
  556,
  556,
  500,
  389,
  280,
  389,
  584,
];

// A few common non-ASCII characters in labels (Helvetica widths).
const EXTRA_REGULAR: Record<string, number> = {
  "\u00b1": 584, // ±
  "\u00d7": 584, // ×
  "\u00b7": 278, // ·
  "\u2026": 1000, // …
  "\u2013": 556, // –
  "\u2014": 1000, // —
  "\u2212": 584, // −
  "\u00b5": 556, // µ
};

/** Width used for characters outside the table (about an average letter). */
const FALLBACK = 556;
/** Wide (CJK, emoji) characters take a full em. */
const WIDE = 1000;

/** Font style attributes that change a text's width. */
export interface TextStyle {
  /** Font size in pixels. */
  fontSize: number;
  /** CSS font weight: `"bold"`, `"normal"` or a number (600+ counts as bold). */
  fontWeight?: string | number | undefined;
  /** CSS font family; a monospace family measures 0.6 em per character. */
  font?: string | undefined;
}

function isBold(weight: string | number | undefined): boolean {
  if (weight === undefined) return false;
  if (typeof weight === "number") return weight >= 600;
  return weight === "bold" || weight === "bolder" || Number(weight) >= 600;
}

function charUnits(ch: string, bold: boolean): number {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= ASCII_FIRST && code <= 126) {
    const table = bold ? BOLD : REGULAR;
    return table[code - ASCII_FIRST] ?? FALLBACK;
  }
  const extra = EXTRA_REGULAR[ch];
  if (extra !== undefined) return extra;
  if (code >= 0x1100 && (code <= 0x115f || code >= 0x2e80)) return WIDE;
  return FALLBACK;
}

/**
 * The width in pixels of a single line of text set in Helvetica/Arial.
 *
 * @param text The text (one line).
 * @param style Font size, weight and family.
 * @returns The advance width in pixels.
 *
 * @example Measure a label
 * ```ts
 * import { measureText } from "./text_metrics.ts";
 * measureText("Hello", { fontSize: 10 }); // 22.78
 * ```
 */
export function measureText(text: string, style: TextStyle): number {
  if (style.fontSize <= 0 || text.length === 0) return 0;
  if (style.font !== undefined && /mono/i.test(style.font)) {
    return [...text].length * 0.6 * style.fontSize;
  }
  const bold = isBold(style.fontWeight);
  let units = 0;
  for (const ch of text) units += charUnits(ch, bold);
  return (units * style.fontSize) / 1000;
}

/** The part of a Vega scenegraph text item the measurer reads. */
interface VegaTextItem {
  text?: unknown;
  fontSize?: unknown;
  fontWeight?: unknown;
  font?: unknown;
}

/** The part of Vega's `textMetrics` object the measurer replaces. */
export interface VegaTextMetrics {
  width: (item: VegaTextItem, text?: unknown) => number;
}

/**
 * Make Vega measure text with {@linkcode measureText} (Helvetica widths)
 * instead of its `0.8 × length × fontSize` estimate. Call it once, before
 * rendering a view; it changes Vega's shared module state.
 *
 * @param metrics `vega.textMetrics` from the `vega` package.
 *
 * @example
 * ```ts ignore
 * import * as vega from "vega";
 * import { installTextMetrics } from "./text_metrics.ts";
 * installTextMetrics(vega.textMetrics);
 * ```
 */
export function installTextMetrics(metrics: VegaTextMetrics): void {
  metrics.width = (item: VegaTextItem, text?: unknown): number => {
    const raw = text === undefined || text === null ? item.text : text;
    const line = raw === undefined || raw === null ? "" : String(raw).trim();
    const size = item.fontSize === undefined || item.fontSize === null ? 11 : Number(item.fontSize) || 0;
    const weight = typeof item.fontWeight === "number" ||
        typeof item.fontWeight === "string"
      ? item.fontWeight
      : undefined;
    const font = typeof item.font === "string" ? item.font : undefined;
    return measureText(line, { fontSize: size, fontWeight: weight, font });
  };
}
