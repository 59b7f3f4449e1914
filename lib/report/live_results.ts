/**
 * A sweep's results kept current while it trains: each poll re-reads the small
 * files (`experiment.json`, each run's `config.json` and `status.json`, the
 * `samples/` listing) and only the bytes appended to each `metrics.jsonl`.
 * @module
 */
import { join } from "@std/path";
import { expandGrid } from "../experiment/grid.ts";
import {
  type ExperimentResults,
  listSamples,
  readExperimentFile,
  readRunFiles,
  type ReadWarning,
  type RunData,
  type RunSeries,
  SAFE_ID,
  samplesInside,
  sortRecords,
} from "../results/read_results.ts";
import { JsonlFollower } from "./jsonl_follower.ts";

interface Followed {
  follower: JsonlFollower;
  series: RunSeries;
  /** Lines that were not JSON objects, kept as warnings. */
  bad: number[];
}

function emptySeries(): RunSeries {
  return { steps: [], epochs: [], evals: [], sampleLines: [] };
}

/**
 * Follows one result folder. Call {@linkcode LiveResults.poll} every second or so; it says whether anything changed.
 *
 * @example
 * ```ts ignore
 * const live = new LiveResults("results/quickstart");
 * if (await live.poll()) console.log(live.results?.runs.length);
 * ```
 */
export class LiveResults {
  readonly dir: string;
  #runs = new Map<string, Followed>();
  #signature = "";
  /** The results as of the last poll (null before the first successful one). */
  results: ExperimentResults | null = null;
  /** Bytes read from the `metrics.jsonl` files so far, in total. */
  bytesRead = 0;

  /** @param dir The experiment's result folder. */
  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Read what changed since the last poll.
   * @returns True when the results differ from the last poll's.
   * @throws {NotAnExperimentError} When the folder has no readable `experiment.json`.
   */
  async poll(): Promise<boolean> {
    const experiment = await readExperimentFile(this.dir);
    const points = expandGrid(experiment.grid);
    const warnings: ReadWarning[] = [];
    const runs: RunData[] = [];
    for (const [i, id] of experiment.runs.entries()) {
      runs.push(await this.#readRun(id, points[i] ?? {}, warnings));
    }
    for (const id of [...this.#runs.keys()]) if (!experiment.runs.includes(id)) this.#runs.delete(id);
    // the ASHA book is small and rewritten only by appends: its size says whether it changed
    const rungs = await Deno.stat(join(this.dir, "rungs.jsonl")).then((i) => i.size, () => 0);
    const signature = JSON.stringify([
      experiment,
      rungs,
      warnings,
      runs.map((r) => [r.config, r.status, r.steps.length, r.epochs.length, r.evals.length, r.samples, r.gif]),
    ]);
    const changed = signature !== this.#signature;
    this.#signature = signature;
    this.results = { dir: this.dir, experiment, runs, warnings };
    return changed;
  }

  async #readRun(id: string, gridValues: Record<string, unknown>, warnings: ReadWarning[]): Promise<RunData> {
    const warn = (message: string) => warnings.push({ runId: id, message });
    const runDir = join(this.dir, id);
    if (!SAFE_ID.test(id)) {
      warn("run id is not a plain folder name; its files were not read");
      return {
        ...emptySeries(),
        id,
        dir: runDir,
        gridValues,
        config: null,
        status: null,
        state: "pending",
        samples: [],
        gif: null,
      };
    }
    let followed = this.#runs.get(id);
    if (followed === undefined) {
      followed = { follower: new JsonlFollower(join(runDir, "metrics.jsonl")), series: emptySeries(), bad: [] };
      this.#runs.set(id, followed);
    }
    const { config, status } = await readRunFiles(runDir, warn);
    const before = followed.follower.offset;
    const lines = await followed.follower.read();
    if (lines.restarted) {
      followed.series = emptySeries();
      followed.bad = [];
    }
    this.bytesRead += Math.max(0, followed.follower.offset - (lines.restarted ? 0 : before));
    sortRecords(lines.records, followed.series);
    followed.bad.push(...lines.bad);
    for (const line of followed.bad) warn(`metrics.jsonl: line ${line} is not a JSON object; skipped`);
    const { steps, epochs, evals, sampleLines } = followed.series;
    const { samples, gif } = await listSamples(runDir, await samplesInside(runDir, sampleLines, warn));
    return {
      id,
      dir: runDir,
      gridValues: config?.gridValues ?? gridValues,
      config,
      status,
      state: status?.status ?? "pending",
      steps,
      epochs,
      evals,
      samples,
      gif,
    };
  }
}
