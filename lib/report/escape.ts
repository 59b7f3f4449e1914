/**
 * Escaping for text that goes into the HTML report.
 * @module
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escape text for an HTML text node or a quoted attribute value.
 *
 * @param value Any value; it is converted with `String`.
 * @returns The text with `& < > " '` replaced by entities.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./escape.ts";
 * escapeHtml("<script>"); // "&lt;script&gt;"
 * ```
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` are
 * written as `\u003c`-style escapes (so no `</script>` or `<!--` can appear),
 * and U+2028/U+2029 are escaped too. `JSON.parse` of the element's text gives
 * the value back unchanged.
 *
 * @param value A JSON-serialisable value.
 * @returns Safe JSON text.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Make JavaScript source safe to inline in a `<script>` element: every
 * `</script` (any case) becomes `<\/script`, which means the same inside
 * strings, templates and regular expressions.
 *
 * @param source JavaScript source text.
 * @returns The source, safe between `<script>` and `</script>`.
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1");
}
