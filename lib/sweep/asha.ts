/**
 * Asynchronous successive halving (ASHA, Li et al. 2020) without a coordinator: the rung decisions of a sweep
 * live in its results folder, in `rungs.jsonl`, appended under an OS lock on `rungs.lock`. Every process that
 * trains runs of the sweep — `--jobs` workers, two sweeps on one folder, the tasks of a Slurm array on a shared
 * file system — reads and extends the same book, so they share one ASHA, and a decision once written is never
 * made again: a run that reaches a rung it already has a decision for (resumed after a kill) gets that decision.
 *
 * At each rung (a step count) a run is evaluated; it goes on while its metric is among the best `keep` share of
 * the runs that have reached that rung so far (at least the best one), else it stops as `pruned`. Nobody waits
 * for a rung to fill: a pruned run is promoted later if, once more runs have reached its rung, it is among the
 * best share after all; it then resumes from its checkpoint.
 * @module
 */
import { join } from "@std/path";
import { type Prune, pruneMode, type RungDecision } from "../experiment/stopping.ts";
import { readRungLines, type RungLine } from "../results/rung_lines.ts";

export type { Prune, RungDecision, RungLine };

/** The share that goes on at a rung of `n` runs: at least the best one. */
export function kept(n: number, keep: number): number {
  return Math.max(1, Math.floor(n * keep + 1e-9));
}

/** The rung decisions of one sweep (`results/<experiment>/rungs.jsonl`). */
export class RungBook {
  readonly #dir: string;
  readonly #prune: Prune;
  readonly #warn: (message: string) => void;

  /**
   * The book of the sweep whose results folder is `experimentDir`.
   * @param warn Told once per damaged line whose decision is read from what is left of it.
   */
  constructor(experimentDir: string, prune: Prune, warn: (message: string) => void = (m) => console.error(m)) {
    this.#dir = experimentDir;
    this.#prune = prune;
    this.#warn = warn;
  }

  /**
   * The decision for `runId` at `rung`, with its metric `value` there: the one already written, if any (a
   * `promote` counts as `continue`), else made now, among the runs that have reached the rung, and written.
   */
  decide(runId: string, rung: number, value: number, group = ""): Promise<RungDecision> {
    return this.#locked(async (all, append) => {
      const lines = all.filter((l) => (l.group ?? "") === group);
      // A run is in one bracket: its own decision is found whatever a damaged line kept of its group.
      const mine = all.filter((l) => l.runId === runId && l.rung === rung);
      const last = mine.at(-1);
      if (last) return { kind: last.kind === "prune" ? "prune" : "continue", rank: last.rank, of: last.of };
      const finite = Number.isFinite(value) ? value : null;
      const entrants = [...firstAt(lines, rung), { runId, value: finite }];
      const rank = rankOf(entrants, runId, pruneMode(this.#prune));
      const kind = rank < kept(entrants.length, this.#prune.keep) ? "continue" : "prune";
      const line: RungLine = {
        kind,
        runId,
        rung,
        value: finite,
        rank,
        of: entrants.length,
        time: new Date().toISOString(),
      };
      await append(group === "" ? line : { ...line, group });
      return { kind, rank, of: entrants.length };
    });
  }

  /**
   * Promote every pruned run that is now among the best share of its rung (more runs have reached it since),
   * writing each promotion once.
   * @param only promote only these runs (a shard's), when given.
   * @returns the runs promoted now.
   */
  promote(only?: ReadonlySet<string>): Promise<RungLine[]> {
    return this.#locked(async (lines, append) => {
      const promoted: RungLine[] = [];
      for (const line of latestByRun(lines).values()) {
        if (line.kind !== "prune" || (only && !only.has(line.runId))) continue;
        const entrants = firstAt(lines.filter((l) => (l.group ?? "") === (line.group ?? "")), line.rung);
        const rank = rankOf(entrants, line.runId, pruneMode(this.#prune));
        if (rank >= kept(entrants.length, this.#prune.keep)) continue;
        const p: RungLine = { ...line, kind: "promote", rank, of: entrants.length, time: new Date().toISOString() };
        await append(p);
        promoted.push(p);
      }
      return promoted;
    });
  }

  /**
   * Every line written so far. A damaged line (not JSON) counts as the decision that can still be read from it;
   * @throws {Error} when one holds no readable decision: some run's decision may be lost, and deciding again could
   *   make it twice, so nothing is decided until the line is restored or removed.
   */
  async lines(): Promise<RungLine[]> {
    const path = join(this.#dir, "rungs.jsonl");
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
    const { lines, damaged } = readRungLines(text);
    for (const d of damaged) {
      if (d.recovered === null) {
        throw new Error(
          `${path} line ${d.line} is damaged and no decision can be read from it (its kind, runId, rung and ` +
            "value): a run's pruning decision may be lost, so the sweep decides nothing until it is mended. " +
            "Restore the line from a copy, or delete it to have that decision made again when its run next " +
            "reaches the rung",
        );
      }
      const key = `${path}:${d.line}`;
      if (warned.has(key)) continue;
      warned.add(key);
      const r = d.recovered;
      this.#warn(
        `warning: ${path} line ${d.line} is damaged; its decision (${r.kind} ${r.runId} at rung ${r.rung}) is ` +
          "read from what is left of it",
      );
    }
    return lines;
  }

  /** Runs whose latest decision is `prune` (not since promoted). */
  async pruned(): Promise<Set<string>> {
    const latest = latestByRun(await this.lines());
    return new Set([...latest].filter(([, l]) => l.kind === "prune").map(([id]) => id));
  }

  async #locked<T>(
    body: (lines: RungLine[], append: (line: RungLine) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    await Deno.mkdir(this.#dir, { recursive: true });
    const lock = await Deno.open(join(this.#dir, "rungs.lock"), { read: true, write: true, create: true });
    try {
      await lock.lock(true);
      const path = join(this.#dir, "rungs.jsonl");
      await cutTornLine(path);
      const file = await Deno.open(path, { read: true, append: true, create: true });
      try {
        const enc = new TextEncoder();
        return await body(await this.lines(), async (line) => {
          const bytes = enc.encode(JSON.stringify(line) + "\n");
          for (let n = 0; n < bytes.length;) n += await file.write(bytes.subarray(n));
          await file.sync(); // a decision on disk before anyone acts on it
        });
      } finally {
        file.close();
      }
    } finally {
      lock.close(); // closing drops the lock
    }
  }
}

/** Damaged lines already warned of, by `path:line`: each is told once per process. */
const warned = new Set<string>();

/**
 * A writer killed mid-line left a torn last line; it died before acting on that decision, so it is dropped
 * (under the lock) before the next line is appended after it.
 */
async function cutTornLine(path: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  await Deno.truncate(path, bytes.lastIndexOf(0x0a) + 1);
}

/** Each run's first decision at `rung`: who reached it, with what value. */
function firstAt(lines: RungLine[], rung: number): { runId: string; value: number | null }[] {
  const seen = new Map<string, number | null>();
  for (const l of lines) if (l.rung === rung && !seen.has(l.runId)) seen.set(l.runId, l.value);
  return [...seen].map(([runId, value]) => ({ runId, value }));
}

/** 0-based rank of `runId` among `entrants` (best first; a non-finite value last; ties by arrival). */
function rankOf(entrants: { runId: string; value: number | null }[], runId: string, mode: "min" | "max"): number {
  const score = (v: number | null) => v === null ? Infinity : mode === "min" ? v : -v;
  const order = entrants.map((e, i) => ({ ...e, i })).sort((a, b) => score(a.value) - score(b.value) || a.i - b.i);
  return order.findIndex((e) => e.runId === runId);
}

/** Each run's latest line at its highest rung. */
function latestByRun(lines: RungLine[]): Map<string, RungLine> {
  const latest = new Map<string, RungLine>();
  for (const l of lines) {
    const before = latest.get(l.runId);
    if (!before || l.rung >= before.rung) latest.set(l.runId, l);
  }
  return latest;
}
