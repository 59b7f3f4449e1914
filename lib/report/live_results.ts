/**
 * A sweep's results kept current while it trains: each poll re-reads the small
 * files (`experiment.json`, each run's `config.json` and `status.json`, the
 * `samples/` listing) and only the bytes appended to each `metrics.jsonl`.
 * @module
 */
import { join } from "@std/path";
import type { RunStatusFile } from "../results/records.ts";
import {
  type ExperimentResults,
  readExperimentWith,
  type RunReader,
  type RunSeries,
  type SeriesPoint,
  sortRecords,
} from "../results/read_results.ts";
import { ENDED_STATUSES, type RunDamage, verifyEndedRun } from "../results/verify_run.ts";
import { JsonlFollower } from "./jsonl_follower.ts";
import { Decimated } from "./decimated.ts";

/**
 * Most `step` (and `epoch`) points kept per run: a log of any length is held as evenly spaced points plus the
 * latest, so memory stays bounded (the charts draw at most 400 points per curve anyway).
 */
export const MAX_POINTS = 4096;

/** Most pieces of a log ({@linkcode JsonlFollower.PIECE} bytes each) read per run and poll. */
const PIECES_PER_POLL = 8;

interface Kept {
  steps: Decimated<SeriesPoint>;
  epochs: Decimated<SeriesPoint>;
  evals: SeriesPoint[];
  sampleLines: RunSeries["sampleLines"];
}

interface Followed {
  follower: JsonlFollower;
  series: Kept;
  /** Lines that were not JSON objects, kept as warnings. */
  bad: number[];
  /** The last check of an ended run's files, and the sizes and times of the files it read then. */
  checked?: { stamp: string; damage: RunDamage[] };
}

function emptySeries(): RunSeries {
  return { steps: [], epochs: [], evals: [], sampleLines: [] };
}

function emptyKept(maxPoints: number): Kept {
  return { steps: new Decimated(maxPoints), epochs: new Decimated(maxPoints), evals: [], sampleLines: [] };
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
  #maxPoints: number;
  /** The results as of the last poll (null before the first successful one). */
  results: ExperimentResults | null = null;
  /** Bytes read from the `metrics.jsonl` files so far, in total. */
  bytesRead = 0;

  /**
   * @param dir The experiment's result folder.
   * @param maxPoints Most step points kept per run (default {@linkcode MAX_POINTS}).
   */
  constructor(dir: string, maxPoints: number = MAX_POINTS) {
    this.dir = dir;
    this.#maxPoints = maxPoints;
  }

  /**
   * Read what changed since the last poll.
   * @returns True when the results differ from the last poll's.
   * @throws {NotAnExperimentError} When the folder has no readable `experiment.json`.
   */
  async poll(): Promise<boolean> {
    const results = await readExperimentWith(this.dir, this.#reader);
    const { experiment, runs, warnings } = results;
    for (const id of [...this.#runs.keys()]) if (!experiment.runs.includes(id)) this.#runs.delete(id);
    // the ASHA book is small and rewritten only by appends: its size says whether it changed
    const rungs = await Deno.stat(join(this.dir, "rungs.jsonl")).then((i) => i.size, () => 0);
    const signature = JSON.stringify([
      experiment,
      rungs,
      warnings,
      runs.map((r) => [r.config, r.status, this.#runs.get(r.id)?.follower.offset, r.evals.length, r.samples, r.gif]),
    ]);
    const changed = signature !== this.#signature;
    this.#signature = signature;
    this.results = results;
    return changed;
  }

  /** A run's log as followed so far, and its ended-run check, redone only when its files changed. */
  #reader: RunReader = {
    series: (runDir, id, warn) => this.#follow(runDir, id, warn),
    damage: (runDir, id, status) => checkEnded(runDir, status, this.#followed(runDir, id)),
  };

  #followed(runDir: string, id: string): Followed {
    let followed = this.#runs.get(id);
    if (followed === undefined) {
      followed = {
        follower: new JsonlFollower(join(runDir, "metrics.jsonl")),
        series: emptyKept(this.#maxPoints),
        bad: [],
      };
      this.#runs.set(id, followed);
    }
    return followed;
  }

  /**
   * The bytes appended to the run's log since the last poll, kept; a backlog (a long log met for the first time) is
   * read a piece at a time, each piece's lines dropped once they are kept, up to PIECES_PER_POLL pieces per poll.
   */
  async #follow(runDir: string, id: string, warn: (message: string) => void): Promise<RunSeries> {
    const followed = this.#followed(runDir, id);
    for (let piece = 0; piece < PIECES_PER_POLL; piece++) {
      const before = followed.follower.offset;
      const lines = await followed.follower.read();
      if (lines.restarted) {
        followed.series = emptyKept(this.#maxPoints);
        followed.bad = [];
      }
      const got = followed.follower.offset - (lines.restarted ? 0 : before);
      this.bytesRead += Math.max(0, got);
      const fresh = emptySeries();
      sortRecords(lines.records, fresh);
      const kept = followed.series;
      for (const p of fresh.steps) kept.steps.push(p);
      for (const p of fresh.epochs) kept.epochs.push(p);
      kept.evals.push(...fresh.evals);
      kept.sampleLines.push(...fresh.sampleLines);
      followed.bad.push(...lines.bad);
      if (got < JsonlFollower.PIECE) break;
    }
    for (const line of followed.bad) warn(`metrics.jsonl: line ${line} is not a JSON object; skipped`);
    const { steps, epochs, evals, sampleLines } = followed.series;
    return { steps: steps.items(), epochs: epochs.items(), evals, sampleLines };
  }
}

/**
 * What differs in an ended run's files ({@linkcode verifyEndedRun}), checked again only when its status or the size
 * or time of a file it checks has changed since the last poll: a poll stats them, and reads them only then.
 */
async function checkEnded(runDir: string, status: RunStatusFile | null, followed: Followed): Promise<RunDamage[]> {
  if (status === null || !ENDED_STATUSES.includes(status.status)) return [];
  const paths = ["metrics.jsonl", ...(Array.isArray(status.ended?.files) ? status.ended.files.map((f) => f.path) : [])];
  const stats = await Promise.all(
    paths.map((p) => Deno.stat(join(runDir, String(p))).then((i) => [i.size, i.mtime?.getTime() ?? null], () => null)),
  );
  const stamp = JSON.stringify([status, stats]);
  if (followed.checked?.stamp !== stamp) followed.checked = { stamp, damage: await verifyEndedRun(runDir, status) };
  return followed.checked.damage;
}
