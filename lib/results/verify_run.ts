/**
 * Whether a run that ended (`completed`, `diverged`, `collapsed`) still holds the files it ended with: its
 * `metrics.jsonl` whole up to its end line, and the sample grids and saved generator its report shows. The run
 * records them in `status.json` as it ends ({@linkcode recordEnded}); a sweep that finds the run ended refuses to
 * count it done when they differ, and a report shows it damaged ({@linkcode verifyEndedRun}). Completed runs from
 * before the record have what can be checked without it checked: their end line and last step line.
 * @module
 */
import { isAbsolute, join, normalize, SEPARATOR } from "@std/path";
import type { RunStatus, RunStatusFile } from "./records.ts";
import { parseJsonl } from "./jsonl.ts";
import { sha256Hex } from "../sha256.ts";

/** What `status.json` records of a run's files as it ends: its `ended` field. */
export type EndedRecord = NonNullable<RunStatusFile["ended"]>;

/** The statuses of a run that ended: results, never trained again, with an `end` line in their log. */
export const ENDED_STATUSES: readonly RunStatus[] = ["completed", "diverged", "collapsed"];

/** One file of an ended run that is not what the run ended with. */
export interface RunDamage {
  /** The file, relative to the run folder (`metrics.jsonl`, `samples/step-000020.png`, `status.json`). */
  file: string;
  /** What differs: what was recorded (or expected) and what is there now. */
  problem: string;
}

const LOG = "metrics.jsonl";

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b === 0x0a) n++;
  return n;
}

/** Whether `path` (from a `sample` line or the record) names a file inside the run folder, as written. */
function inside(path: string): boolean {
  const lexical = normalize(path);
  return path !== "" && !isAbsolute(path) && lexical !== ".." && !lexical.startsWith(`..${SEPARATOR}`);
}

/** The files the report of a run shows: its `sample` lines' grids, then the saved generator's files, in order. */
async function reportedFiles(runDir: string, log: Uint8Array): Promise<string[]> {
  const paths: string[] = [];
  for (const r of parseJsonl(new TextDecoder().decode(log)).records) {
    if (r.kind === "sample" && typeof r.path === "string" && inside(r.path) && !paths.includes(r.path)) {
      paths.push(r.path);
    }
  }
  const generator: string[] = [];
  try {
    for await (const e of Deno.readDir(join(runDir, "generator"))) {
      if (e.isFile && !/\.tmp-\d+-[0-9a-f]{8}$/.test(e.name)) generator.push(`generator/${e.name}`);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  // config.json first: a run's settings, which the report and its claims read back, are part of what it ended with.
  return ["config.json", ...paths, ...generator.sort()];
}

/** A file's bytes, or null when it is missing. */
async function readIfThere(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw e;
  }
}

/**
 * What a run's files hold now, for `status.json`'s `ended` as the run ends: `metrics.jsonl` (lines, bytes and
 * sha256, end line included), and each sample grid its `sample` lines name and each file of `generator/` (bytes and
 * sha256; a named grid that is not there is left out).
 * @param runDir The run folder, its log synced.
 * @returns The record.
 * @throws {Deno.errors.NotFound} When the run folder has no `metrics.jsonl`.
 */
export async function recordEnded(runDir: string): Promise<EndedRecord> {
  const log = await Deno.readFile(join(runDir, LOG));
  const files: EndedRecord["files"] = [];
  for (const path of await reportedFiles(runDir, log)) {
    const data = await readIfThere(join(runDir, path));
    if (data !== null) files.push({ path, bytes: data.length, sha256: await sha256Hex(data) });
  }
  return { log: { lines: countLines(log), bytes: log.length, sha256: await sha256Hex(log) }, files };
}

/** What is wrong with the shape of a parsed `ended` record, or null when it can be checked against. */
function recordProblem(ended: unknown): string | null {
  const digest = (v: unknown) => {
    const d = v as Record<string, unknown> | null;
    return typeof d === "object" && d !== null && Number.isInteger(d.bytes) && typeof d.sha256 === "string";
  };
  const record = ended as Record<string, unknown> | null;
  if (typeof record !== "object" || record === null || !digest(record.log)) {
    return "no log digest";
  }
  if (!Number.isInteger((record.log as Record<string, unknown>).lines)) return "no log line count";
  if (!Array.isArray(record.files)) return "no list of files";
  for (const f of record.files as unknown[]) {
    const path = (f as Record<string, unknown> | null)?.path;
    if (!digest(f) || typeof path !== "string" || !inside(path)) {
      return `a file entry ${JSON.stringify(f)?.slice(0, 80)} that is not {path inside the run folder, bytes, sha256}`;
    }
  }
  return null;
}

/** `abc123def456…` */
function short(sha: string): string {
  return `${sha.slice(0, 12)}…`;
}

/** What differs in the log of an ended run, or null when it is whole. */
async function logProblem(runDir: string, status: RunStatusFile, record: EndedRecord | null): Promise<string | null> {
  const ended = `the run ${status.status}`;
  let bytes: Uint8Array | null;
  try {
    bytes = await readIfThere(join(runDir, LOG));
  } catch (e) {
    return `cannot be read (${(e as Error).message.split("\n")[0]})`;
  }
  if (bytes === null) return `missing, but status.json says ${ended} at step ${status.step}`;
  const problems: string[] = [];
  if (record !== null) {
    const { log } = record;
    if (bytes.length < log.bytes) {
      problems.push(`${bytes.length} bytes, where ${log.bytes} (${log.lines} lines) were recorded when ${ended}`);
    } else {
      const sha = await sha256Hex(bytes.subarray(0, log.bytes));
      if (sha !== log.sha256) {
        const lines = countLines(bytes.subarray(0, log.bytes));
        problems.push(
          `its first ${log.bytes} bytes (${lines} lines) have sha256 ${short(sha)}, where ${short(log.sha256)} ` +
            `(${log.lines} lines) was recorded when ${ended}: it was edited since`,
        );
      } else {
        // After the end line only `deno task eval` appends: eval lines (a torn last one is the report's warning).
        const after = parseJsonl(new TextDecoder().decode(bytes.subarray(log.bytes)));
        const stray = after.records.findIndex((r) => r.kind !== "eval");
        if (after.bad.length > 0) {
          problems.push(`line ${log.lines + after.bad[0]!.line} (after its end line) is not a JSON object`);
        } else if (stray >= 0) {
          problems.push(
            `a ${JSON.stringify(after.records[stray]!.kind)} line follows its end line, where only eval lines ` +
              `(deno task eval) are appended to a run that ended`,
          );
        }
      }
    }
  }
  // What the log itself says: its end line, and a completed run's steps up to its last. Without a record only a
  // completed run is held to it (a diverged run's status was once written before its end line).
  if (record === null && status.status !== "completed") return problems.length > 0 ? problems.join("; ") : null;
  const records = parseJsonl(new TextDecoder().decode(bytes)).records;
  const steps = records.filter((r) => r.kind === "step" && typeof r.step === "number").map((r) => r.step as number);
  const last = steps.length > 0 ? Math.max(...steps) : null;
  if (status.status === "completed" && (last === null || last < status.step)) {
    problems.push(
      last === null
        ? `it has no step lines, where they reach step ${status.step}`
        : `its step lines stop at step ${last} of ${status.step}`,
    );
  }
  const end = records.findLast((r) => r.kind === "end");
  if (end === undefined) {
    problems.push(`it has no end line (expected one saying ${status.status} at step ${status.step})`);
  } else if (end.step !== status.step) {
    problems.push(`its end line is at step ${String(end.step)}, where status.json says step ${status.step}`);
  }
  return problems.length > 0 ? problems.join("; ") : null;
}

/** What differs in one recorded file of an ended run, or null when it is as recorded. */
async function fileProblem(
  runDir: string,
  status: RunStatusFile,
  file: EndedRecord["files"][number],
): Promise<string | null> {
  const ended = `the run ${status.status}`;
  let data: Uint8Array | null;
  try {
    data = await readIfThere(join(runDir, file.path));
  } catch (e) {
    return `cannot be read (${(e as Error).message.split("\n")[0]})`;
  }
  if (data === null) return `missing, where ${file.bytes} bytes were recorded when ${ended}`;
  const sha = data.length === file.bytes ? await sha256Hex(data) : null;
  if (sha === file.sha256) return null;
  return `${data.length} bytes${sha === null ? "" : ` with sha256 ${short(sha)}`}, where ${file.bytes} bytes with ` +
    `sha256 ${short(file.sha256)} were recorded when ${ended}: it was changed since`;
}

const GENERATOR_PREFIX = "generator/";

/**
 * Whether the run folder holds no `generator/` folder at all: the saved weights left out, as results committed
 * without their large files are (a fresh clone of a study's logs and samples). Its log, grids and settings are still
 * checked; a generator folder that is there is checked file by file, so one lost or changed file is still damage.
 * Only a deliberate removal leaves none: the loop saves the generator before it records the run ended.
 * @param runDir The run folder.
 * @returns True when `generator/` is absent.
 */
export async function generatorLeftOut(runDir: string): Promise<boolean> {
  try {
    await Deno.stat(join(runDir, "generator"));
    return false;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return true;
    throw e;
  }
}

/**
 * Check a run that ended against what its `status.json` recorded as it ended: its log's lines, bytes and sha256
 * (`eval` lines appended after its end line are allowed), its end line, a completed run's last step line, and each
 * recorded sample grid and generator file (all but a generator left out whole: {@linkcode generatorLeftOut}). A
 * completed run from before the record is checked for its end line and last step line only, and a diverged or
 * collapsed one not at all. Runs that have not ended (running, stopped, failed, pruned) are not checked.
 *
 * @param runDir The run folder.
 * @param status Its `status.json`.
 * @returns What differs, file by file; empty when the run is whole.
 *
 * @example A completed run whose log was cut short
 * ```ts
 * import { verifyEndedRun } from "./verify_run.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/metrics.jsonl`, '{"kind":"step","step":10}\n');
 * const status = { status: "completed", step: 20, epoch: 1, totalSteps: 20, updated: "", seconds: 1 } as const;
 * const damage = await verifyEndedRun(dir, status);
 * damage[0]?.problem; // "its step lines stop at step 10 of 20; it has no end line (…)"
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function verifyEndedRun(runDir: string, status: RunStatusFile): Promise<RunDamage[]> {
  if (!ENDED_STATUSES.includes(status.status)) return [];
  const damage: RunDamage[] = [];
  let record: EndedRecord | null = null;
  if (status.ended !== undefined) {
    const problem = recordProblem(status.ended);
    if (problem === null) record = status.ended;
    else {
      damage.push({
        file: "status.json",
        problem:
          `its 'ended' record has ${problem} (expected {log: {lines, bytes, sha256}, files: [...]}, as the run ` +
          "wrote it): it was edited since",
      });
    }
  }
  const log = await logProblem(runDir, status, record);
  if (log !== null) damage.push({ file: LOG, problem: log });
  const leftOut = await generatorLeftOut(runDir);
  for (const file of record?.files ?? []) {
    if (leftOut && file.path.startsWith(GENERATOR_PREFIX)) continue;
    const problem = await fileProblem(runDir, status, file);
    if (problem !== null) damage.push({ file: file.path, problem });
  }
  return damage;
}

/**
 * Why a sweep must not count an ended run done, with what to do: null when its files are whole (or it has not ended).
 * @param runDir The run folder.
 * @param status Its `status.json`.
 * @returns One message naming each damaged file, what differs, and how to restore it or train the run again.
 */
export async function damagedRunMessage(runDir: string, status: RunStatusFile): Promise<string | null> {
  const damage = await verifyEndedRun(runDir, status);
  if (damage.length === 0) return null;
  const files = damage.map((d) => join(runDir, d.file));
  return `${runDir}: status.json says the run ${status.status} at step ${status.step}, but its files are not what ` +
    `it ended with: ${damage.map((d) => `${join(runDir, d.file)}: ${d.problem}`).join("; ")}. Not counted as done, ` +
    `and nothing was rewritten: restore ${files.length === 1 ? "that file" : "those files"} (git checkout -- ` +
    `${files.join(" ")} where ${
      files.length === 1 ? "it is" : "they are"
    } committed, or from a backup), or delete ${runDir} and run the sweep again ` +
    "to train the run from step 0";
}
