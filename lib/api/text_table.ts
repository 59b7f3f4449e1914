/**
 * A table of text cells as a notebook output: `text/html` (escaped) and `text/plain` (aligned columns), the two
 * MIME types every Jupyter frontend shows.
 * @module
 */
import { escapeHtml } from "../report/escape.ts";
import type { MediaBundle } from "./jupyter.ts";

/** Header cells and body rows of text; `title` goes above it. */
export interface CellTable {
  title?: string;
  head: string[];
  rows: string[][];
}

/**
 * The table as HTML: a `<table>` with a caption, every cell escaped.
 * @param t The table.
 * @param attributes Extra attributes of the `<table>` element, already escaped.
 */
export function tableHtml(t: CellTable, attributes = ""): string {
  const caption = t.title ? `<caption style="text-align:left;font-weight:bold">${escapeHtml(t.title)}</caption>` : "";
  const head = `<thead><tr>${t.head.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table${attributes}>${caption}${head}<tbody>\n${body}\n</tbody></table>`;
}

/**
 * The table as aligned plain text, the title first.
 * @param t The table.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { tableText } from "./text_table.ts";
 * assertEquals(tableText({ head: ["a", "bb"], rows: [["1", "2"]] }), "a  bb\n1  2");
 * ```
 */
export function tableText(t: CellTable): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [...(t.title ? [t.title] : []), line(t.head), ...t.rows.map(line)].join("\n");
}

/**
 * The table as a MIME bundle (`text/html` and `text/plain`).
 * @param t The table.
 * @param className A class for the `<table>` element (letters, digits, `-`), so a reader of the notebook file can
 *   find it.
 */
export function tableBundle(t: CellTable, className?: string): MediaBundle {
  const attributes = className === undefined ? "" : ` class="${className}"`;
  return { "text/html": tableHtml(t, attributes), "text/plain": tableText(t) };
}
