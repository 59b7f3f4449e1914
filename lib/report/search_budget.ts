/**
 * The report's search-budget view (Lucic et al. 2018's question: given the same number of trials, which loss finds
 * the better model?): per grid cell, the final metric over a search's trials, and the expected best value of k
 * trials drawn from them, for k from 1 to the number of trials.
 *
 * The expected best of k is the exact bootstrap: k trials drawn with replacement from the n trials of a cell, the
 * best of them, in expectation (and its 10% and 90% quantiles). With the values sorted best first, v₁ … vₙ, the
 * best of k draws is vᵢ with probability ((n−i+1)/n)ᵏ − ((n−i)/n)ᵏ.
 * @module
 */
import type { RunData } from "../results/read_results.ts";
import type { TextTable } from "./html.ts";
import { formatValue, SEARCHED_KEY, SEED_KEY } from "./grid_view.ts";
import { finalValues } from "./final_values.ts";
import { formatNumber } from "./format.ts";

/** One trial of a search: its cell, its final value and how it ended. */
export interface TrialRow {
  run: string;
  /** The cell's label along the facet key (`mnist`), or `all` when the grid has one key or none. */
  column: string;
  /** The cell's label along the other grid keys (`bce`). */
  row: string;
  /** The final metric: at full budget when completed, at the last evaluation it reached otherwise (pruned). */
  value: number;
  state: string;
  /** Its searched values, as text. */
  searched: string;
}

/** The expected best of k trials of one cell. */
export interface BudgetRow {
  column: string;
  row: string;
  k: number;
  expected: number;
  /** The 10% and 90% quantiles of the best of k. */
  lo: number;
  hi: number;
}

/** The cells' layout: the grid key charted as columns (fewest values), the others as rows. */
export interface CellKeys {
  column: string | null;
  rows: string[];
}

/** The searched keys of a run: its grid values that the experiment's grid does not list (nor the report's own). */
function searchedKeys(run: RunData, grid: Record<string, unknown[]>): string[] {
  return Object.keys(run.gridValues).filter((k) => !(k in grid) && k !== SEED_KEY && k !== SEARCHED_KEY);
}

/** A trial is a run of a search's first phase: it has searched values and no seed of a seeds phase. */
function isTrial(run: RunData, grid: Record<string, unknown[]>): boolean {
  return searchedKeys(run, grid).length > 0 && (SEED_KEY in grid || !(SEED_KEY in run.gridValues));
}

/**
 * How the cells are laid out: with two or more grid keys that vary, the one with the fewest values as columns and
 * the rest as rows; with one, it is the rows.
 * @param grid The experiment's grid.
 */
export function cellKeys(grid: Record<string, unknown[]>): CellKeys {
  const varying = Object.entries(grid).filter(([k, vs]) => k !== SEED_KEY && vs.length > 1).map(([k, vs]) => ({
    k,
    n: vs.length,
  }));
  if (varying.length < 2) return { column: null, rows: varying.map((v) => v.k) };
  const column = [...varying].sort((a, b) => a.n - b.n)[0]!.k;
  return { column, rows: varying.map((v) => v.k).filter((k) => k !== column) };
}

/**
 * Each search trial's final value of `metric`, by cell (none for a sweep without a search).
 * @param runs The runs as read (their own grid values, before the report adds `searched`).
 * @param grid The experiment's grid.
 * @param metric The metric.
 */
export function trialRows(runs: readonly RunData[], grid: Record<string, unknown[]>, metric: string): TrialRow[] {
  const keys = cellKeys(grid);
  const rows: TrialRow[] = [];
  for (const run of runs) {
    if (!isTrial(run, grid)) continue;
    const value = finalValues(run)[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    const g = run.gridValues;
    const searched = searchedKeys(run, grid);
    rows.push({
      run: run.id,
      column: keys.column === null ? "all" : formatValue(g[keys.column]),
      row: keys.rows.map((k) => formatValue(g[k])).join(" · ") || "all",
      value,
      state: run.state,
      searched: searched.map((k) => `${k}=${formatValue(g[k])}`).join(" "),
    });
  }
  return rows;
}

/**
 * The best of k draws with replacement from `values`, for k = 1 … n: its expectation and 10% / 90% quantiles.
 * @param values The trials' values.
 * @param better Which way is better ("higher" takes the greatest; otherwise the least).
 * @example
 * ```ts
 * import { expectedBest } from "./search_budget.ts";
 * expectedBest([1, 3], "lower")[0]; // { k: 1, expected: 2, lo: 1, hi: 3 }
 * ```
 */
export function expectedBest(
  values: readonly number[],
  better: "lower" | "higher" | null,
): { k: number; expected: number; lo: number; hi: number }[] {
  const sign = better === "higher" ? -1 : 1;
  const v = values.map((x) => sign * x).sort((a, b) => a - b);
  const n = v.length;
  const out = [];
  for (let k = 1; k <= n; k++) {
    // P(best of k is at least as bad as v[i]) = ((n − i) / n)^k, i 0-based.
    const atLeast = (i: number) => ((n - i) / n) ** k;
    let expected = 0;
    for (let i = 0; i < n; i++) expected += v[i]! * (atLeast(i) - atLeast(i + 1));
    const quantile = (q: number) => v[v.findIndex((_, i) => 1 - atLeast(i + 1) >= q - 1e-12)]!;
    const [lo, hi] = sign === 1 ? [quantile(0.1), quantile(0.9)] : [-quantile(0.9), -quantile(0.1)];
    out.push({ k, expected: sign * expected, lo, hi });
  }
  return out;
}

/** The trials by cell, in first-seen order. */
function byCell(trials: readonly TrialRow[]): Map<string, TrialRow[]> {
  const cells = new Map<string, TrialRow[]>();
  for (const t of trials) {
    const key = JSON.stringify([t.column, t.row]);
    cells.set(key, [...cells.get(key) ?? [], t]);
  }
  return cells;
}

/** The expected best of k trials for every cell with two or more trials. */
export function budgetRows(trials: readonly TrialRow[], better: "lower" | "higher" | null): BudgetRow[] {
  return [...byCell(trials).values()].filter((ts) => ts.length > 1).flatMap((ts) =>
    expectedBest(ts.map((t) => t.value), better).map((b) => ({ column: ts[0]!.column, row: ts[0]!.row, ...b }))
  );
}

/** Per cell: its trials, how many completed, the best trial's value and searched values, the median. */
export function bestTrialTable(
  trials: readonly TrialRow[],
  better: "lower" | "higher" | null,
  metric: string,
): TextTable {
  const rank = (a: TrialRow, b: TrialRow) => better === "higher" ? b.value - a.value : a.value - b.value;
  const rows = [...byCell(trials).values()].map((ts) => {
    const sorted = [...ts].sort(rank);
    const best = sorted[0]!;
    const values = ts.map((t) => t.value).sort((a, b) => a - b);
    const mid = values.length / 2;
    const median = values.length % 2 ? values[Math.floor(mid)]! : (values[mid - 1]! + values[mid]!) / 2;
    return {
      cells: [
        best.column === "all" ? best.row : `${best.column} · ${best.row}`,
        String(ts.length),
        String(ts.filter((t) => t.state === "completed").length),
        formatNumber(best.value),
        best.state,
        formatNumber(median),
        best.searched,
      ],
      state: best.state,
    };
  });
  return { head: ["cell", "trials", "completed", `best ${metric}`, "best's status", "median", "best's values"], rows };
}
