/**
 * The report's text tables: the final values per grid point, runs that went wrong, the grid, and the heatmap's cells; and how run states are counted.
 * @module
 */
import { describeGemm } from "../kernels/gemm_label.ts";
import { type RunData, type RunState } from "../results/read_results.ts";
import { type ChartLayout, comboLabel, formatValue, type GridDim, type GridView } from "./grid_view.ts";
import type { GroupSummary } from "./final_values.ts";
import type { HeatCell } from "./specs.ts";
import { formatNumber } from "./format.ts";
import type { TextTable } from "./html.ts";

/** Run states in the order the report counts and lists them. */
export const STATES: RunState[] = [
  "completed",
  "running",
  "stopped",
  "pruned",
  "collapsed",
  "diverged",
  "damaged",
  "failed",
  "pending",
];

/** `2 completed, 1 diverged`: a group's runs by state, non-zero counts only. */
export function stateSummary(states: GroupSummary["states"]): string {
  return STATES.flatMap((s) => (states[s] ?? 0) > 0 ? [`${states[s]} ${s}`] : [])
    .join(", ");
}

/** The heatmap's cells: one per grid point, the metric's pooled value (or why there is none). */
export function heatCells(
  groups: readonly GroupSummary[],
  dims: { x: GridDim | null; y: GridDim | null; rest: GridDim[] },
  metric: string,
): HeatCell[] {
  return groups.map((g) => {
    const s = g.stats[metric];
    const lost = (g.states.diverged ?? 0) + (g.states.failed ?? 0);
    let text: string;
    if (s === undefined) {
      text = STATES.find((st) => st !== "completed" && (g.states[st] ?? 0) > 0) ??
        "no value";
    } else {
      text = s.n > 1 ? `${formatNumber(s.mean)} ± ${formatNumber(s.sd)}` : formatNumber(s.mean);
      if (lost > 0) text += `\n${lost} of ${g.runs.length} lost`;
    }
    return {
      x: dims.x === null ? "" : formatValue(g.gridValues[dims.x.key]),
      y: dims.y === null ? "" : formatValue(g.gridValues[dims.y.key]),
      facet: comboLabel(dims.rest, g.gridValues),
      mean: s?.mean ?? null,
      text,
      hasValue: s !== undefined,
      detail: `${g.label} (${stateSummary(g.states)})`,
    };
  });
}

/** The final-values table: each grid point's pooled metrics (mean ± sd over seeds) and its runs' states. */
export function finalTable(
  groups: readonly GroupSummary[],
  view: GridView,
  metrics: readonly string[],
): TextTable {
  const seeds = view.seed !== null;
  return {
    head: [
      ...(view.compare.length > 0 ? view.compare.map((d) => d.key) : ["grid point"]),
      "runs",
      ...metrics.map((m) => seeds ? `${m} (mean ± sd)` : m),
    ],
    rows: groups.map((g) => ({
      cells: [
        ...(view.compare.length > 0 ? view.compare.map((d) => formatValue(g.gridValues[d.key])) : ["all"]),
        stateSummary(g.states),
        ...metrics.map((m) => {
          const s = g.stats[m];
          if (s === undefined) return "—";
          return s.n > 1 ? `${formatNumber(s.mean)} ± ${formatNumber(s.sd)} (n=${s.n})` : formatNumber(s.mean);
        }),
      ],
    })),
  };
}

/**
 * The runs that have not completed (diverged, damaged, failed, stopped, still training, not started), with where and
 * why.
 */
export function problemsTable(runs: readonly RunData[], view: GridView): TextTable {
  const varying = view.dims.filter((d) => d.labels.length > 1);
  const rows = runs.filter((r) => r.state !== "completed").map((r) => {
    const st = r.status;
    const where = st === null
      ? "not started"
      : `step ${st.diverged?.step ?? st.step} of ${st.totalSteps} (epoch ${st.epoch})`;
    let why = "";
    let details: string | undefined;
    if (r.state === "diverged") {
      why = st?.diverged?.reason ?? "diverged (no reason recorded)";
      const lf = st?.diverged?.lastFinite;
      if (lf) {
        why += "; last finite: " +
          Object.entries(lf).map(([k, v]) => `${k}=${formatNumber(v)}`).join(
            ", ",
          );
      }
    } else if (r.state === "damaged") {
      why = `${st?.status ?? "ended"}, but its files are not what it ended with: ` +
        (r.damage ?? []).map((d) => `${d.file}: ${d.problem}`).join("; ") +
        "; restore them, or delete the run folder and run the sweep to train it again";
    } else if (r.state === "failed") {
      const err = st?.error ?? "failed (no error recorded)";
      why = err.split("\n")[0] ?? err;
      if (err.includes("\n")) details = err;
    } else if (r.state === "running") {
      why = `still training (status updated ${st?.updated ?? "?"})`;
    } else if (r.state === "pruned") {
      const p = st?.pruned;
      why = p
        ? `pruned at step ${p.rung}: ${p.metric} ${formatNumber(p.value)}, ${p.rank + 1} of ${p.of} at that rung`
        : "pruned";
    } else if (r.state === "collapsed") {
      why = st?.collapsed?.reason ?? "collapsed";
    } else if (r.state === "stopped") {
      why = `stopped at step ${st?.step ?? "?"} with a checkpoint there (${
        st?.updated ?? "?"
      }); the same sweep command continues it`;
    } else {
      why = "no status.json yet";
    }
    const row: TextTable["rows"][number] = {
      cells: [r.id, comboLabel(varying, r.gridValues), r.state, where, why],
      state: r.state,
    };
    if (details !== undefined) row.details = details;
    return row;
  });
  return { head: ["run", "grid values", "status", "where", "why"], rows };
}

/** The backends and devices the runs trained on, in words. */
export function backendsLabel(runs: readonly RunData[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) {
    if (r.config === null) continue;
    const b = r.config.backend;
    const name = b?.name ?? "?";
    const device = b?.device ?? "?";
    // the device often names the backend already: "wasm SIMD, 1 thread on cpu"
    const on = device.toLowerCase().startsWith(name.toLowerCase()) ? device : `${name} on ${device}`;
    // on wasm, the GEMM as the sweep printed it: OpenBLAS or the SIMD GEMM, and its threads
    const key = b?.gemm ? `${on}; ${describeGemm(b.gemm)}` : on;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return "—";
  return [...counts].map(([k, n]) => counts.size > 1 ? `${k} (${n} runs)` : k)
    .join("; ");
}

/** The grid's keys, their values, and the role each plays on the page (facet, colour, heatmap axis, seeds). */
export function gridTable(
  view: GridView,
  layout: ChartLayout,
  hx: GridDim | null,
  hy: GridDim | null,
) {
  const role = (d: GridDim): string => {
    if (d.labels.length <= 1) return "fixed";
    if (d === view.seed) return "seeds (pooled: mean ± sd)";
    const roles: string[] = [];
    if (d === layout.facet) roles.push("columns");
    if (d === layout.color) roles.push("colour");
    if (layout.rest.includes(d)) roles.push("dash / rows");
    if (d === hx) roles.push("heatmap x");
    if (d === hy) roles.push("heatmap y");
    return roles.join(", ");
  };
  return {
    head: ["key", "values", "shown as"],
    rows: view.dims.map((d) => ({
      cells: [d.key, d.labels.join(", "), role(d)],
    })),
  };
}
