/**
 * A sweep in one table: `results/<experiment>/runs.csv`, one row per run with its id, every resolved config key
 * that varies between the runs, where it stands, its last logged losses and its last evaluation, so pandas
 * (`pd.read_csv`), DuckDB (`read_csv_auto`) or R (`read.csv`) read a whole sweep in one line.
 * @module
 */
import type { RunData } from "./read_results.ts";

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(v: unknown): string {
  if (v === null || v === undefined) return "";
  const text = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The resolved config keys whose values differ between runs, in the config's own order. */
function variedKeys(runs: readonly RunData[]): string[] {
  const configs = runs.map((r) => (r.config?.config ?? {}) as Record<string, unknown>);
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))];
  return keys.filter((k) => new Set(configs.map((c) => JSON.stringify(c[k]))).size > 1);
}

/** The numeric field names of a series' points, first seen first. */
function columns(points: { values: Record<string, number> }[][]): string[] {
  return [...new Set(points.flatMap((p) => p.flatMap((x) => Object.keys(x.values))))];
}

/**
 * The CSV text of a sweep's runs.
 * @example
 * ```ts
 * import { runsCsv } from "./runs_csv.ts";
 * runsCsv([]); // "id,status,step\n"
 * ```
 */
export function runsCsv(runs: readonly RunData[]): string {
  const varied = variedKeys(runs);
  const stepCols = columns(runs.map((r) => r.steps)).filter((c) => c !== "ms");
  const evalCols = columns(runs.map((r) => r.evals));
  const header = ["id", ...varied, "status", "step", ...stepCols, ...evalCols.map((c) => `eval_${c}`)];
  const rows = runs.map((r) => {
    const config = (r.config?.config ?? {}) as Record<string, unknown>;
    const lastStep = r.steps.at(-1)?.values ?? {};
    const lastEval = r.evals.at(-1)?.values ?? {};
    return [
      r.id,
      ...varied.map((k) => config[k]),
      r.state,
      r.status?.step ?? r.steps.at(-1)?.step ?? null,
      ...stepCols.map((c) => lastStep[c]),
      ...evalCols.map((c) => lastEval[c]),
    ];
  });
  return [header, ...rows].map((row) => row.map(field).join(",")).join("\n") + "\n";
}
