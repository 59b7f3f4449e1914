/**
 * The rung view of a pruned sweep: the ASHA book `rungs.jsonl` (one decision per line: `continue`, `prune`, or a
 * later `promote`, with the run's metric value and rank at the rung), drawn as the metric at each rung per trial,
 * with what the survivors' hyperparameters share and the compute pruning saved.
 * @module
 */
import { join } from "@std/path";
import { readRungLines, type RungLine } from "../results/rung_lines.ts";
import type { RunData } from "../results/read_results.ts";
import { formatValue } from "./grid_view.ts";
import { axisKind, runConfig, sweptKeys } from "./hparam_rows.ts";
import type { TextTable } from "./html.ts";

const KINDS = ["continue", "prune", "promote"];

/**
 * Read `<dir>/rungs.jsonl`: null when the sweep has none. A damaged line counts as the decision still readable
 * from it, as the sweep reads it; what is not a decision is a warning.
 * @param dir The experiment's result folder.
 * @returns The decisions in file order and the warnings.
 */
export async function readRungBook(dir: string): Promise<{ lines: RungLine[]; warnings: string[] } | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, "rungs.jsonl"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const parsed = readRungLines(text);
  const lines: RungLine[] = [];
  const warnings = parsed.damaged.map((d) =>
    d.recovered === null
      ? `rungs.jsonl: line ${d.line} is damaged and holds no readable decision; skipped`
      : `rungs.jsonl: line ${d.line} is damaged; its decision (${d.recovered.kind} ${d.recovered.runId} at rung ` +
        `${d.recovered.rung}) is read from what is left of it`
  );
  parsed.lines.forEach((r, i) => {
    const ok = KINDS.includes(String(r.kind)) && typeof r.runId === "string" && typeof r.rung === "number" &&
      (r.value === null || typeof r.value === "number") && typeof r.rank === "number" && typeof r.of === "number";
    if (ok) lines.push(r);
    else {
      warnings.push(
        `rungs.jsonl: record ${i + 1} is not a rung decision (expected kind continue|prune|promote, runId, ` +
          `rung, value, rank, of); skipped`,
      );
    }
  });
  return { lines, warnings };
}

/** One trial at one rung, for the chart. */
export interface RungRow {
  run: string;
  rung: number;
  value: number | null;
  /** Its decision there as it stands (a promotion counts as `continue`, marked `promoted`). */
  decision: "continue" | "prune";
  promoted: boolean;
  /** The trial stands pruned now (its latest decision is a prune): drawn faded. */
  pruned: boolean;
  rank: number;
  of: number;
}

/**
 * The chart's rows: each run's first decision at each rung, overridden by a later promotion.
 * @param lines The book.
 */
export function rungRows(lines: readonly RungLine[]): RungRow[] {
  const at = new Map<string, RungRow>();
  const latest = new Map<string, RungLine>();
  for (const l of lines) {
    latest.set(l.runId, l);
    const key = `${l.runId}\u0000${l.rung}`;
    const seen = at.get(key);
    if (seen === undefined) {
      at.set(key, {
        run: l.runId,
        rung: l.rung,
        value: l.value,
        decision: l.kind === "prune" ? "prune" : "continue",
        promoted: l.kind === "promote",
        pruned: false,
        rank: l.rank,
        of: l.of,
      });
    } else if (l.kind === "promote") {
      Object.assign(seen, { decision: "continue", promoted: true, rank: l.rank, of: l.of });
    }
  }
  const prunedNow = new Set([...latest].filter(([, l]) => l.kind === "prune").map(([id]) => id));
  return [...at.values()].map((r) => ({ ...r, pruned: prunedNow.has(r.run) }))
    .sort((a, b) => a.run < b.run ? -1 : a.run > b.run ? 1 : a.rung - b.rung);
}

/** Steps trained against the full budget of every trial. */
export interface ComputeSaved {
  trained: number;
  budget: number;
  /** Trials counted (those with a known budget). */
  trials: number;
}

/**
 * Steps trained (each run's `status.json` step, 0 before it starts) against every trial's full budget (its
 * `totalSteps`, else the config's `steps`).
 * @param runs The runs.
 */
export function computeSaved(runs: readonly RunData[]): ComputeSaved {
  let trained = 0;
  let budget = 0;
  let trials = 0;
  for (const run of runs) {
    const total = run.status?.totalSteps ?? (runConfig(run).steps as number | undefined);
    if (typeof total !== "number" || !(total > 0)) continue;
    trials++;
    budget += total;
    trained += Math.min(total, run.status?.step ?? run.steps.at(-1)?.step ?? 0);
  }
  return { trained, budget, trials };
}

/**
 * Which values of each swept key the survivors (runs not standing pruned, that reached the highest rung any run
 * reached) have, against all the values tried: a key where they share one value, or a narrow range, is what the
 * sweep found.
 * @param runs The runs.
 * @param rows From {@linkcode rungRows}.
 * @returns A table: key, survivors' values, all values tried.
 */
export function survivorTable(runs: readonly RunData[], rows: readonly RungRow[]): TextTable {
  const top = Math.max(...rows.map((r) => r.rung));
  const survivors = new Set(rows.filter((r) => r.rung === top && !r.pruned).map((r) => r.run));
  const keys = sweptKeys(runs);
  const describe = (key: string, list: readonly RunData[]): string => {
    const values = list.map((r) => runConfig(r)[key]);
    const kind = axisKind(key, runs.map((r) => runConfig(r)[key]));
    const distinct = [...new Set(values.map((v) => formatValue(v ?? "—")))];
    if (kind !== "category" && distinct.length > 4) {
      const nums = values.filter((v): v is number => typeof v === "number");
      return `${formatValue(Math.min(...nums))} – ${formatValue(Math.max(...nums))} (${nums.length} runs)`;
    }
    return distinct.sort().join(", ");
  };
  const kept = runs.filter((r) => survivors.has(r.id));
  return {
    head: ["key", `survivors at step ${top} (${kept.length})`, `all trials (${runs.length})`],
    rows: keys.map((k) => ({ cells: [k, kept.length ? describe(k, kept) : "—", describe(k, runs)] })),
  };
}
