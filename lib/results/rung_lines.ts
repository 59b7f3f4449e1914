/**
 * The lines of a sweep's ASHA book, `rungs.jsonl`: one rung decision per line (`continue`, `prune`, or a later
 * `promote`), as the sweep writes them (`lib/sweep/asha.ts`) and the report reads them.
 * @module
 */

/** A run's decision at a rung: `continue` or `prune`; `promote` later overrides a `prune`. */
export interface RungLine {
  kind: "continue" | "prune" | "promote";
  runId: string;
  /** The rung, in steps. */
  rung: number;
  /** The metric's value at the rung (null: not finite, ranked last). */
  value: number | null;
  /** 0-based rank at the rung when decided, and how many runs had reached it then. */
  rank: number;
  of: number;
  time: string;
  /** The run's bracket (`prune.by`'s values); absent: the one bracket. */
  group?: string;
}

/** A line of the book that is not JSON, and what could be read of it. */
export interface DamagedLine {
  /** Its 1-based line number. */
  line: number;
  /** The decision it held, as far as its kind, run, rung and value can be read; null when they cannot. */
  recovered: RungLine | null;
}

/** A field of a damaged line: `"name":` and a complete value after it (a string closed, a number ended by `,`/`}`). */
function field(text: string, name: string, value: "string" | "number"): string | number | null | undefined {
  const pattern = value === "string"
    ? new RegExp(`"${name}":("(?:[^"\\\\]|\\\\.)*")`)
    : new RegExp(`"${name}":(null|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)[,}]`);
  const m = pattern.exec(text);
  if (m === null) return undefined;
  try {
    return JSON.parse(m[1]!) as string | number | null;
  } catch {
    return undefined;
  }
}

/** What a damaged line still says: a decision when its kind, run, rung and value are whole in it. */
function recoverLine(text: string): RungLine | null {
  const kind = field(text, "kind", "string");
  const runId = field(text, "runId", "string");
  const rung = field(text, "rung", "number");
  const value = field(text, "value", "number");
  if (kind !== "continue" && kind !== "prune" && kind !== "promote") return null;
  if (typeof runId !== "string" || typeof rung !== "number" || value === undefined) return null;
  const [rank, of, group] = [
    field(text, "rank", "number"),
    field(text, "of", "number"),
    field(text, "group", "string"),
  ];
  return {
    kind,
    runId,
    rung,
    value: typeof value === "number" ? value : null,
    rank: typeof rank === "number" ? rank : -1,
    of: typeof of === "number" ? of : -1,
    time: "",
    ...(typeof group === "string" ? { group } : {}),
  };
}

/**
 * The book's decisions in file order. A complete line that is not JSON (damaged in place: a torn write the lock
 * did not prevent, a disk or copy error) keeps its place as far as it can be read: its kind, run, rung and value
 * are its first fields, so a line cut after them still holds its decision.
 * @param text The book's contents (a torn last line already cut).
 */
export function readRungLines(text: string): { lines: RungLine[]; damaged: DamagedLine[] } {
  const lines: RungLine[] = [];
  const damaged: DamagedLine[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = null;
    }
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      lines.push(parsed as RungLine);
      return;
    }
    const recovered = recoverLine(raw);
    damaged.push({ line: i + 1, recovered });
    if (recovered) lines.push(recovered);
  });
  return { lines, damaged };
}
