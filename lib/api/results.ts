/**
 * A sweep's results folder as values: its runs as typed {@linkcode RunData} (what the report reads), their claim
 * queries ({@linkcode Runs}), and one row per run as a table that shows itself in a notebook.
 * @module
 */
import {
  type ExperimentResults,
  readExperimentResults,
  type ReadWarning,
  type RunData,
} from "../results/read_results.ts";
import type { ExperimentFile } from "../results/records.ts";
import { Runs } from "../claims/run_query.ts";
import { formatValue } from "../report/grid_view.ts";
import { formatNumber } from "../report/format.ts";
import { JUPYTER_DISPLAY, type MediaBundle } from "./jupyter.ts";
import { type CellTable, tableBundle } from "./text_table.ts";

/** One run as a table row: its id, grid values, where it stands and its last logged values. */
export interface RunRow {
  id: string;
  /** The grid values that tell this run apart. */
  gridValues: Record<string, unknown>;
  state: RunData["state"];
  /** The last step reached (its status, else its last logged step), or null before any. */
  step: number | null;
  /** The last `step` line's D and G losses, exactly as logged, or null before the first. */
  dLoss: number | null;
  gLoss: number | null;
  /** The last `eval` line's numbers (e.g. `fcd`, `cis`), empty when the run was never evaluated. */
  evals: Record<string, number>;
  /** Training seconds (from `status.json`), or null. */
  seconds: number | null;
}

/** A run's row. */
export function runRow(run: RunData): RunRow {
  const last = run.steps.at(-1);
  return {
    id: run.id,
    gridValues: run.gridValues,
    state: run.state,
    step: run.status?.step ?? last?.step ?? null,
    dLoss: last?.values.dLoss ?? null,
    gLoss: last?.values.gLoss ?? null,
    evals: { ...run.evals.at(-1)?.values },
    seconds: run.status?.seconds ?? null,
  };
}

/** Eval fields that are bookkeeping, not quality: left out of the table. */
const EVAL_BOOKKEEPING = new Set(["evalN", "evalSeconds", "kidStd"]);

/** One row per run; shows itself as an HTML table (and aligned text). */
export class RunTable {
  /**
   * @param title The caption, e.g. the experiment's name.
   * @param gridKeys The grid's keys, in its order (one column each).
   * @param rows The runs' rows, in grid order.
   */
  constructor(readonly title: string, readonly gridKeys: readonly string[], readonly rows: readonly RunRow[]) {}

  /** The table's cells: losses as logged (every digit), eval metrics in 3 significant digits. */
  cells(): CellTable {
    const evalKeys = [...new Set(this.rows.flatMap((r) => Object.keys(r.evals)))].filter((k) =>
      !EVAL_BOOKKEEPING.has(k)
    );
    const num = (v: number | null | undefined, exact = false) =>
      v === null || v === undefined ? "—" : exact ? String(v) : formatNumber(v);
    return {
      title: this.title,
      head: ["run", ...this.gridKeys, "state", "step", "D loss", "G loss", ...evalKeys, "seconds"],
      rows: this.rows.map((r) => [
        r.id,
        ...this.gridKeys.map((k) => formatValue(r.gridValues[k])),
        r.state,
        r.step === null ? "—" : String(r.step),
        num(r.dLoss, true),
        num(r.gLoss, true),
        ...evalKeys.map((k) => num(r.evals[k])),
        r.seconds === null ? "—" : r.seconds.toFixed(1),
      ]),
    };
  }

  /** The table as a MIME bundle: its `<table>` has the class `gan-harness-runs`. */
  [JUPYTER_DISPLAY](): MediaBundle {
    return tableBundle(this.cells(), "gan-harness-runs");
  }
}

/** A sweep's results folder, read: the experiment, its runs in grid order, and what could not be read. */
export class Results {
  /** @param read What {@linkcode readExperimentResults} read. */
  constructor(readonly read: ExperimentResults) {}

  /** The results folder, e.g. `results/quickstart`. */
  get dir(): string {
    return this.read.dir;
  }

  /** `experiment.json`: the name, grid and run ids. */
  get experiment(): ExperimentFile {
    return this.read.experiment;
  }

  /** Every run of the grid, in grid order (`pending` where it has not started). */
  get runs(): RunData[] {
    return this.read.runs;
  }

  /** Problems met while reading (a torn last line, an unreadable file). */
  get warnings(): ReadWarning[] {
    return this.read.warnings;
  }

  /** The runs with the queries an experiment's claims use (`where`, `final`, `atEpoch`, …). */
  query(): Runs {
    return new Runs(this.runs);
  }

  /**
   * One row per run: id, grid values, state, step, last losses, last eval metrics, seconds.
   * @param options `pending: false` leaves out the runs that have not started (e.g. those `only` left out).
   */
  table(options: { pending?: boolean } = {}): RunTable {
    const runs = options.pending === false ? this.runs.filter((r) => r.state !== "pending") : this.runs;
    return new RunTable(this.experiment.name, Object.keys(this.experiment.grid), runs.map(runRow));
  }

  /** The table, so a cell ending in `results` shows it. */
  [JUPYTER_DISPLAY](): MediaBundle {
    return this.table()[JUPYTER_DISPLAY]();
  }
}

/**
 * Read a sweep's results folder (`results/<experiment>/`), tolerating runs that are still writing.
 *
 * @param dir The folder, e.g. `results/quickstart`.
 * @returns Its runs and table.
 * @throws {NotAnExperimentError} When `dir` or its `experiment.json` is missing or unreadable.
 * @example
 * ```ts ignore
 * import { loadResults } from "../mod.ts";
 * const results = await loadResults("results/quickstart");
 * console.log(results.table().rows.map((r) => `${r.id} ${r.state} ${r.gLoss}`));
 * ```
 */
export async function loadResults(dir: string): Promise<Results> {
  return new Results(await readExperimentResults(dir));
}
