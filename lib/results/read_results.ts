/**
 * Read a sweep's result folder (`results/<experiment>/`) into plain data,
 * tolerating runs that are still writing.
 * @module
 */
import { isAbsolute, join, normalize, SEPARATOR } from "@std/path";
import type { ExperimentFile, RunConfigFile, RunStatus, RunStatusFile } from "./records.ts";
import { expandGrid } from "../experiment/grid.ts";
import { parseJsonl } from "./jsonl.ts";
import { InputError } from "../input_error.ts";
import { type RunDamage, verifyEndedRun } from "./verify_run.ts";

/**
 * Where a run stands; `pending` when it has no `status.json` yet, `damaged` when it ended (completed, diverged,
 * collapsed) but its files are not what it ended with (lib/results/verify_run.ts).
 */
export type RunState = RunStatus | "pending" | "damaged";

/** One point of a numeric series read from `metrics.jsonl`. */
export interface SeriesPoint {
  /** The line's iteration. */
  step: number;
  /** Its epoch, when the line has one. */
  epoch: number | null;
  /** Every finite numeric field of the line except `step` and `epoch`. */
  values: Record<string, number>;
  /** Every string field except `kind` (e.g. an eval line's `classHist` and `classifier`). */
  strings?: Record<string, string>;
}

/** One sample grid image of a run. */
export interface SampleRef {
  /** The iteration it was drawn at, when known (from its `sample` line or a `step-000500.png` name). */
  step: number | null;
  /** The epoch, when known (from its `sample` line or an `epoch-0003.png` name). */
  epoch: number | null;
  /** Path relative to the run folder, e.g. `samples/epoch-0003.png`. */
  path: string;
}

/** Everything read about one run. */
export interface RunData {
  /** The run id (its folder name). */
  id: string;
  /** Absolute or cwd-relative path of the run folder. */
  dir: string;
  /** The run's grid values (from `config.json`, else from the grid order). */
  gridValues: Record<string, unknown>;
  /** `config.json`, or null when missing or unreadable. */
  config: RunConfigFile | null;
  /** `status.json`, or null when missing or unreadable. */
  status: RunStatusFile | null;
  /** Where it stands. */
  state: RunState;
  /** `step` lines. */
  steps: SeriesPoint[];
  /** `epoch` lines. */
  epochs: SeriesPoint[];
  /** `eval` lines. */
  evals: SeriesPoint[];
  /** Sample grids, in training order. */
  samples: SampleRef[];
  /** `samples/progress.gif` relative to the run folder, when present. */
  gif: string | null;
  /** For a `damaged` run: each file that is not what the run ended with, and what differs. */
  damage?: RunDamage[];
}

/** A problem found while reading, shown in the report. */
export interface ReadWarning {
  /** The run it concerns, or null for the experiment. */
  runId: string | null;
  message: string;
}

/** A whole result folder. */
export interface ExperimentResults {
  dir: string;
  experiment: ExperimentFile;
  runs: RunData[];
  warnings: ReadWarning[];
}

/** The result folder is missing or is not a sweep's folder. */
export class NotAnExperimentError extends InputError {
  /** @param message What is wrong and what would be accepted (it names the folder or file). */
  constructor(message: string) {
    super("results folder", message, { named: true });
    this.name = "NotAnExperimentError";
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * A run's file as text; null when it is missing, and null with a warning naming it when it cannot be read (a
 * folder in its place, no permission).
 */
async function readRunText(path: string, warn: (message: string) => void, ignored = "ignored"): Promise<string | null> {
  try {
    return await readText(path);
  } catch (e) {
    warn(`${path} cannot be read (${osReason(e)}); ${ignored}`);
    return null;
  }
}

/** An OS error's reason without the operation and path Deno appends (`Is a directory (os error 21)`). */
function osReason(e: unknown): string {
  return (e as Error).message.split("\n")[0]!.replace(/: \w+ '.*'$/, "");
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : null;
  } catch {
    return null;
  }
}

function finiteNumber(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * One `step`, `epoch` or `eval` line as a series point.
 * @param record The parsed line.
 * @returns The point, or null when the line has no finite `step`.
 */
function toPoint(record: Record<string, unknown>): SeriesPoint | null {
  const step = finiteNumber(record.step);
  if (step === null) return null;
  const values: Record<string, number> = {};
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === "step" || k === "epoch" || k === "kind") continue;
    const n = finiteNumber(v);
    if (n !== null) values[k] = n;
    else if (typeof v === "string") strings[k] = v;
  }
  const point: SeriesPoint = { step, epoch: finiteNumber(record.epoch), values };
  if (Object.keys(strings).length > 0) point.strings = strings;
  return point;
}

/** The series of a run's `metrics.jsonl`, by kind of line. */
export interface RunSeries {
  steps: SeriesPoint[];
  epochs: SeriesPoint[];
  evals: SeriesPoint[];
  /** The `sample` lines, before their paths are checked. */
  sampleLines: SampleRef[];
}

/**
 * Append each parsed `metrics.jsonl` line to the series of its kind; other kinds (`start`, …) are skipped.
 * @param records Parsed lines, in file order.
 * @param into The series appended to.
 */
export function sortRecords(records: readonly Record<string, unknown>[], into: RunSeries): void {
  for (const r of records) {
    if (r.kind === "sample") {
      if (typeof r.path === "string") {
        into.sampleLines.push({ step: finiteNumber(r.step), epoch: finiteNumber(r.epoch), path: r.path });
      }
      continue;
    }
    const p = toPoint(r);
    if (p === null) continue;
    if (r.kind === "step") into.steps.push(p);
    else if (r.kind === "epoch") into.epochs.push(p);
    else if (r.kind === "eval") into.evals.push(p);
  }
}

const SAMPLE_NAME = /^(epoch|step)-(\d+)\.png$/;

/**
 * Whether `path` (from a `sample` line) stays inside `runDir`: relative, no `..` above it, and, where the file
 * exists, no link out of it. A path that leads nowhere is inside as written (nothing there to read).
 */
async function staysInside(runDir: string, path: string): Promise<boolean> {
  const lexical = normalize(path);
  if (path === "" || isAbsolute(path) || lexical === ".." || lexical.startsWith(`..${SEPARATOR}`)) return false;
  let real: string;
  try {
    real = await Deno.realPath(join(runDir, path));
  } catch (e) {
    return e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;
  }
  return real.startsWith((await Deno.realPath(runDir)) + SEPARATOR);
}

/** The sample lines whose path stays inside the run folder; a warning for each other one. */
async function samplesInside(
  runDir: string,
  lines: SampleRef[],
  warn: (message: string) => void,
): Promise<SampleRef[]> {
  const kept: SampleRef[] = [];
  for (const s of lines) {
    if (await staysInside(runDir, s.path)) kept.push(s);
    else {
      warn(
        `metrics.jsonl: the sample of step ${s.step} has path ${JSON.stringify(s.path)}, which leads outside ` +
          "the run folder; not shown (expected a path inside it such as samples/epoch-0001.png)",
      );
    }
  }
  return kept;
}

/**
 * The run's sample grids (its `sample` lines and the files in `samples/`) and its progress GIF.
 * @param runDir The run folder.
 * @param fromLines The samples its `sample` lines name.
 * @param warn Receives a message naming `samples` when it is there but cannot be listed (a file, not a folder).
 */
async function listSamples(
  runDir: string,
  fromLines: SampleRef[],
  warn: (message: string) => void = () => {},
): Promise<{ samples: SampleRef[]; gif: string | null }> {
  const seen = new Map<string, SampleRef>();
  for (const s of fromLines) seen.set(s.path, s);
  let gif: string | null = null;
  try {
    for await (const entry of Deno.readDir(join(runDir, "samples"))) {
      if (!entry.isFile) continue;
      if (entry.name === "progress.gif") gif = "samples/progress.gif";
      const m = SAMPLE_NAME.exec(entry.name);
      const path = `samples/${entry.name}`;
      if (m === null || seen.has(path)) continue;
      const n = Number(m[2]);
      seen.set(path, {
        step: m[1] === "step" ? n : null,
        epoch: m[1] === "epoch" ? n : null,
        path,
      });
    }
  } catch (e) {
    const folder = join(runDir, "samples");
    if (e instanceof Deno.errors.NotADirectory) {
      warn(`${folder} is not a folder; no sample grids are listed from it`);
    } else if (!(e instanceof Deno.errors.NotFound)) {
      warn(`${folder} cannot be listed (${osReason(e)}); no sample grids are listed from it`);
    }
  }
  const samples = [...seen.values()].sort((a, b) =>
    (a.step ?? a.epoch ?? 0) - (b.step ?? b.epoch ?? 0) ||
    (a.epoch ?? 0) - (b.epoch ?? 0)
  );
  return { samples, gif };
}

const STATES: readonly string[] = [
  // every RunStatus (records.ts)
  "running",
  "stopped",
  "completed",
  "failed",
  "diverged",
  "pruned",
  "collapsed",
];

/** A run id that is a plain folder name. */
const SAFE_ID = /^(?!\.\.?$)[^/\\\0]+$/;

function emptyRun(
  id: string,
  dir: string,
  gridValues: Record<string, unknown>,
): RunData {
  return {
    id,
    dir,
    gridValues,
    config: null,
    status: null,
    state: "pending",
    steps: [],
    epochs: [],
    evals: [],
    samples: [],
    gif: null,
  };
}

/** What is wrong with a parsed `config.json`'s shape, or null when the report can use it. */
function configProblem(obj: Record<string, unknown> | null): string | null {
  if (obj === null) return "is not a JSON object";
  for (const key of ["gridValues", "config", "backend"]) {
    if (obj[key] !== undefined && !isPlainObject(obj[key])) {
      return `is not a run's config: its ${key} is ${JSON.stringify(obj[key])?.slice(0, 40)}, expected an object`;
    }
  }
  return null;
}

/**
 * A run's `config.json` and `status.json`; null for a file that is missing or unreadable (with a warning naming it).
 * @param runDir The run folder.
 * @param warn Receives a message for each unreadable file.
 */
async function readRunFiles(
  runDir: string,
  warn: (message: string) => void,
): Promise<{ config: RunConfigFile | null; status: RunStatusFile | null }> {
  let config: RunConfigFile | null = null;
  const configPath = join(runDir, "config.json");
  const ignored = "ignored (the run's grid values are taken from its place in the grid)";
  const configText = await readRunText(configPath, warn, ignored);
  if (configText !== null) {
    const obj = asObject(configText);
    const problem = configProblem(obj);
    if (problem !== null) warn(`${configPath} ${problem}; ${ignored}`);
    else config = obj as unknown as RunConfigFile;
  }

  let status: RunStatusFile | null = null;
  const statusText = await readRunText(join(runDir, "status.json"), warn);
  if (statusText !== null) {
    const obj = asObject(statusText);
    if (obj === null || !STATES.includes(String(obj.status))) {
      warn("status.json is not a run status; ignored");
    } else status = obj as unknown as RunStatusFile;
  }

  return { config, status };
}

/**
 * How a run's log and its ended-run check are read: the whole log at once ({@linkcode readExperimentResults}), or
 * only what was appended since the last poll (lib/report/live_results.ts). The rest of reading a run is the same.
 */
export interface RunReader {
  /** The run's `metrics.jsonl` sorted into series; `warn` receives a message for each line skipped. */
  series(runDir: string, id: string, warn: (message: string) => void): Promise<RunSeries>;
  /** What differs in an ended run's files ({@linkcode verifyEndedRun}); none for a run that has not ended. */
  damage(runDir: string, id: string, status: RunStatusFile | null): Promise<RunDamage[]>;
}

/** The whole log, read and parsed in one go; the ended run's files checked each time. */
const wholeRun: RunReader = {
  async series(runDir, _id, warn) {
    const series: RunSeries = { steps: [], epochs: [], evals: [], sampleLines: [] };
    const metricsText = await readRunText(join(runDir, "metrics.jsonl"), warn);
    if (metricsText === null) return series;
    const parsed = parseJsonl(metricsText);
    if (parsed.torn !== null) {
      warn(
        `metrics.jsonl: last line (${parsed.torn.line}) is incomplete ` +
          `(${parsed.torn.text.length} characters, the writer was interrupted ` +
          `or is still writing); reported up to line ${parsed.torn.line - 1}`,
      );
    }
    for (const b of parsed.bad) warn(`metrics.jsonl: line ${b.line} is not a JSON object; skipped`);
    sortRecords(parsed.records, series);
    return series;
  },
  damage: (runDir, _id, status) => status === null ? Promise.resolve([]) : verifyEndedRun(runDir, status),
};

/**
 * One run of a results folder, read with `reader`; unreadable files become warnings.
 * @param dir The experiment's result folder.
 * @param id The run id (its folder's name; one that is not a plain name is not read).
 * @param gridValues Its grid values from its place in the grid (its `config.json`'s win).
 * @param warnings Receives the warnings, each naming the run.
 */
async function readRun(
  dir: string,
  id: string,
  gridValues: Record<string, unknown>,
  warnings: ReadWarning[],
  reader: RunReader,
): Promise<RunData> {
  const warn = (message: string) => warnings.push({ runId: id, message });
  const runDir = join(dir, id);
  if (!SAFE_ID.test(id)) {
    warn("run id is not a plain folder name; its files were not read");
    return emptyRun(id, runDir, gridValues);
  }
  const { config, status } = await readRunFiles(runDir, warn);
  const { steps, epochs, evals, sampleLines } = await reader.series(runDir, id, warn);
  const { samples, gif } = await listSamples(runDir, await samplesInside(runDir, sampleLines, warn), warn);
  const damage = await reader.damage(runDir, id, status);
  warnDamage(status, damage, warn);
  return {
    id,
    dir: runDir,
    gridValues: config?.gridValues ?? gridValues,
    config,
    status,
    state: damage.length > 0 ? "damaged" : status?.status ?? "pending",
    steps,
    epochs,
    evals,
    samples,
    gif,
    ...(damage.length > 0 ? { damage } : {}),
  };
}

/**
 * A warning per file of a damaged run, naming it and what differs.
 * @param status The run's `status.json`.
 * @param damage What {@linkcode verifyEndedRun} found.
 * @param warn Receives each warning.
 */
function warnDamage(
  status: RunStatusFile | null,
  damage: readonly RunDamage[],
  warn: (m: string) => void,
): void {
  for (const d of damage) {
    warn(
      `${d.file}: ${d.problem}; the run is shown as damaged, not ${status?.status} (restore the file, or delete the ` +
        "run folder and run the sweep to train it again)",
    );
  }
}

/**
 * Read and check `<dir>/experiment.json`.
 *
 * @param dir The experiment's result folder.
 * @returns The experiment as declared.
 * @throws {NotAnExperimentError} When `dir` or its `experiment.json` is missing or unreadable.
 */
export async function readExperimentFile(dir: string): Promise<ExperimentFile> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch {
    throw new NotAnExperimentError(
      `Cannot read results folder '${dir}': it does not exist`,
    );
  }
  if (!info.isDirectory) {
    throw new NotAnExperimentError(
      `Cannot read results folder '${dir}': it is not a folder`,
    );
  }
  const text = await readText(join(dir, "experiment.json"));
  if (text === null) {
    throw new NotAnExperimentError(
      `'${dir}' is not an experiment's results folder: it has no experiment.json ` +
        `(expected results/<experiment>/ as written by a sweep)`,
    );
  }
  const obj = asObject(text);
  if (
    obj === null || typeof obj.name !== "string" || !Array.isArray(obj.runs) ||
    typeof obj.grid !== "object" || obj.grid === null
  ) {
    throw new NotAnExperimentError(
      `'${join(dir, "experiment.json")}' is not an experiment file: ` +
        `expected an object with 'name', 'grid' and 'runs'`,
    );
  }
  for (const [k, v] of Object.entries(obj.grid as Record<string, unknown>)) {
    if (!Array.isArray(v)) {
      throw new NotAnExperimentError(
        `'${join(dir, "experiment.json")}': grid.${k}: expected a list of values, got ${JSON.stringify(v)}`,
      );
    }
  }
  const experiment: ExperimentFile = {
    name: obj.name,
    description: typeof obj.description === "string" ? obj.description : "",
    source: typeof obj.source === "string" ? obj.source : "",
    grid: obj.grid as Record<string, unknown[]>,
    runs: (obj.runs as unknown[]).map(String),
    updated: typeof obj.updated === "string" ? obj.updated : "",
  };
  return experiment;
}

/**
 * Read `experiment.json` and every run it lists. Runs that have not started
 * are `pending`; unreadable files become warnings, never exceptions.
 *
 * @param dir The experiment's result folder, e.g. `results/lr-vs-noise`.
 * @returns The experiment, its runs in grid order, and the warnings.
 * @throws {NotAnExperimentError} When `dir` or its `experiment.json` is missing
 * or unreadable.
 */
export function readExperimentResults(dir: string): Promise<ExperimentResults> {
  return readExperimentWith(dir, wholeRun);
}

/**
 * Read `experiment.json` and every run it lists, each with `reader` (see {@linkcode readExperimentResults}).
 * @param dir The experiment's result folder.
 * @param reader How each run's log and ended-run check are read.
 * @throws {NotAnExperimentError} When `dir` or its `experiment.json` is missing or unreadable.
 */
export async function readExperimentWith(dir: string, reader: RunReader): Promise<ExperimentResults> {
  const experiment = await readExperimentFile(dir);
  const points = expandGrid(experiment.grid);
  const warnings: ReadWarning[] = [];
  const runs: RunData[] = [];
  for (const [i, id] of experiment.runs.entries()) {
    runs.push(await readRun(dir, id, points[i] ?? {}, warnings, reader));
  }
  return { dir, experiment, runs, warnings };
}
