/**
 * Realistic result folders for tests and demos: what a sweep writes, per
 * `lib/results/records.ts`, with synthetic losses and sample grids.
 * @module
 */
import { encode } from "fast-png";
import { join } from "@std/path";
import { expandGrid } from "../lib/experiment/grid.ts";
import type { ExperimentFile, MetricsLine, RunConfigFile, RunStatusFile } from "../lib/results/records.ts";
import { configDefaults } from "../lib/experiment/config.ts";
import "../lib/train/builtins.ts";

/** What to generate. */
export interface FixtureOptions {
  name: string;
  description?: string;
  grid: Record<string, unknown[]>;
  epochs?: number;
  stepsPerEpoch?: number;
  logEvery?: number;
  /** Per run index: how it ends. Default `completed`. */
  outcome?: (
    gridValues: Record<string, unknown>,
    index: number,
  ) => "completed" | "running" | "diverged" | "failed" | "pending";
  /** Leave a half-written last line in these runs' metrics.jsonl. */
  torn?: (index: number) => boolean;
  /** Fields to drop from step lines (runs with missing fields). */
  dropFields?: string[];
  /** Add `eval` lines with these metric names (synthetic values). */
  evalMetrics?: string[];
  /**
   * Add realistic `eval` lines after every epoch: the fields of
   * `evalFields` (`fcd`, `kid`, `kidStd`, `cis`, `classesCovered`, `klUniform`,
   * `precision`, `recall`, `classHist`, `evalN`, `evalSeconds`, `classifier`).
   */
  evals?: EvalFixture;
  /** Write `samples/progress.gif` in every finished run. */
  gif?: boolean;
}

/** How the realistic eval lines of {@linkcode FixtureOptions.evals} are made. */
export interface EvalFixture {
  /** The classifier hash prefix per run index (default `cedb162e4113`, the pinned MNIST one). */
  classifier?: (index: number) => string;
  /** Samples per evaluation per run index (default 10,000). */
  n?: (index: number) => number;
  /** Runs whose generator collapses onto one or two classes (default: `lr` ≥ 1e-2). */
  collapsed?: (gridValues: Record<string, unknown>, index: number) => boolean;
}

/** The fields of one realistic eval line (as `evalFields` writes them). */
function evalLineFields(
  progress: number,
  collapsed: boolean,
  rand: () => number,
  index: number,
  classifier: string,
  n: number,
): Record<string, number | string> {
  const raw = Array.from({ length: 10 }, (_, c) => {
    if (collapsed) {
      const main = (index * 3) % 10;
      return c === main ? 8 : c === (main + 5) % 10 ? 1.5 * (1 - progress) : rand() * 0.03;
    }
    return 1 + (rand() - 0.5) * 1.6 * (1 - 0.6 * progress);
  });
  const total = raw.reduce((a, b) => a + b, 0);
  const shares = raw.map((v) => Number((v / total).toFixed(4)));
  const entropy = -shares.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0);
  const r = (v: number) => Number(v.toPrecision(6));
  const fcd = r(collapsed ? 600 + 150 * rand() : 40 + 260 * (1 - progress) ** 2 + 15 * rand());
  return {
    fcd,
    // KID follows FCD here (no draw of its own, so the other fields keep their values).
    kid: r(fcd / 400),
    kidStd: r(fcd / 8000),
    cis: r(Math.max(1, Math.exp(entropy) * (0.55 + 0.35 * progress))),
    classesCovered: shares.filter((p) => p >= 0.02).length,
    klUniform: r(Math.log(10) - entropy),
    precision: r(collapsed ? 0.97 + 0.02 * rand() : 0.45 + 0.4 * progress + 0.05 * rand()),
    recall: r(collapsed ? 0.01 * rand() : 0.05 + 0.5 * progress + 0.05 * rand()),
    classHist: shares.map((p) => p.toFixed(4)).join(","),
    evalN: n,
    evalSeconds: r(18 + 2 * rand()),
    classifier,
  };
}

/** A 1×1 GIF: enough for the report to find and embed. */
const TINY_GIF = Uint8Array.from(
  atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"),
  (c) => c.charCodeAt(0),
);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 4×4 grid of 28×28 blurry-to-sharp blobs, greyscale PNG. */
function sampleGrid(progress: number, seed: number): Uint8Array {
  const size = 112;
  const data = new Uint8Array(size * size);
  const rand = rng(seed);
  const sharp = 0.15 + 0.85 * progress;
  for (let cell = 0; cell < 16; cell++) {
    const cx = (cell % 4) * 28 + 14 + (rand() - 0.5) * 4;
    const cy = Math.floor(cell / 4) * 28 + 14 + (rand() - 0.5) * 4;
    const r = 6 + rand() * 4;
    for (let y = Math.floor(cy) - 14; y < cy + 14; y++) {
      for (let x = Math.floor(cx) - 14; x < cx + 14; x++) {
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const d = Math.abs(Math.hypot(x - cx, y - cy) - r);
        const ink = Math.max(0, 1 - d / (1 + 4 * (1 - sharp)));
        const noise = (rand() - 0.5) * 0.6 * (1 - progress);
        const v = Math.min(1, Math.max(0, ink * sharp + noise + 0.05));
        data[y * size + x] = Math.round(v * 255);
      }
    }
  }
  return encode({ width: size, height: size, data, channels: 1, depth: 8 });
}

/**
 * Write `dir/<name>/` as a sweep would: `experiment.json`, and per run
 * `config.json`, `status.json`, `metrics.jsonl` and `samples/epoch-*.png`.
 *
 * @param dir The results root (e.g. a temp folder).
 * @param opts What to generate.
 * @returns The experiment's folder.
 */
export async function writeFixtureExperiment(
  dir: string,
  opts: FixtureOptions,
): Promise<string> {
  const root = join(dir, opts.name);
  await Deno.mkdir(root, { recursive: true });
  const points = expandGrid(opts.grid);
  const epochs = opts.epochs ?? 4;
  const perEpoch = opts.stepsPerEpoch ?? 100;
  const logEvery = opts.logEvery ?? 10;
  const runs = points.map((p, i) =>
    Object.entries(p).map(([k, v]) => `${k}-${String(v)}`).join("_").replace(
      /[^A-Za-z0-9.+_-]/g,
      "",
    ) + `_r${i}`
  );
  const experiment: ExperimentFile = {
    name: opts.name,
    description: opts.description ?? "A synthetic sweep for tests.",
    source: `experiments/${opts.name}.ts`,
    grid: opts.grid,
    runs,
    updated: "2025-01-01T00:00:00.000Z",
  };
  await Deno.writeTextFile(
    join(root, "experiment.json"),
    JSON.stringify(experiment, null, 2),
  );
  for (const [i, gridValues] of points.entries()) {
    const outcome = opts.outcome?.(gridValues, i) ?? "completed";
    if (outcome === "pending") continue;
    const runDir = join(root, runs[i] ?? `r${i}`);
    await Deno.mkdir(join(runDir, "samples"), { recursive: true });
    const config: RunConfigFile = {
      runId: runs[i] ?? "",
      experiment: opts.name,
      gridValues,
      config: { ...configDefaults(), ...gridValues } as RunConfigFile["config"],
      configHash: "0".repeat(64),
      backend: { name: "wasm", reason: "fixture", device: "cpu (fixture)" },
      versions: { tfjs: "4.22.0" },
      git: null,
      created: "2025-01-01T00:00:00.000Z",
    };
    await Deno.writeTextFile(
      join(runDir, "config.json"),
      JSON.stringify(config),
    );
    const rand = rng(i + 1);
    const lr = typeof gridValues.lr === "number" ? gridValues.lr : 2e-4;
    const nd = typeof gridValues.noiseDim === "number" ? gridValues.noiseDim : 100;
    const total = epochs * perEpoch;
    const stopAt = outcome === "completed" ? total : Math.floor(total * (outcome === "running" ? 0.6 : 0.45));
    const lines: MetricsLine[] = [{
      kind: "start",
      time: "2025-01-01T00:00:00.000Z",
      step: 0,
      backend: "wasm",
      resumed: false,
    }];
    const drop = new Set(opts.dropFields ?? []);
    const strip = <T extends object>(line: T): T =>
      Object.fromEntries(
        Object.entries(line).filter(([k]) => !drop.has(k)),
      ) as T;
    let epochAcc: number[] = [];
    for (let step = logEvery; step <= stopAt; step += logEvery) {
      const t = step / total;
      const noise = () => (rand() - 0.5) * 0.15;
      const blow = outcome === "diverged" ? Math.exp(8 * Math.max(0, t - 0.3)) : 1;
      const dLoss = (1.35 - 0.3 * t * Math.log10(nd) / 2 + noise()) * blow;
      const gLoss = (0.75 + 0.6 * t + lr * 200 + noise()) * blow;
      const dReal = Math.min(0.99, 0.52 + 0.2 * t + noise() / 3);
      const dFake = Math.max(0.01, 0.48 - 0.15 * t + noise() / 3);
      epochAcc.push(dLoss, gLoss, dReal, dFake);
      lines.push(strip({
        kind: "step",
        step,
        epoch: Math.ceil(step / perEpoch),
        dLoss,
        gLoss,
        dReal,
        dFake,
        dAcc: 0.5 + (dReal - dFake) / 2,
        ms: 40 + rand() * 5,
      }));
      if (step % perEpoch === 0) {
        const e = step / perEpoch;
        const mean = (k: number) =>
          epochAcc.filter((_, j) => j % 4 === k).reduce((a, b) => a + b, 0) /
          (epochAcc.length / 4);
        lines.push(strip({
          kind: "epoch",
          epoch: e,
          step,
          dLoss: mean(0),
          gLoss: mean(1),
          dReal: mean(2),
          dFake: mean(3),
          dAcc: 0.5 + (mean(2) - mean(3)) / 2,
          seconds: 4.2,
        }));
        epochAcc = [];
        const path = `samples/epoch-${String(e).padStart(4, "0")}.png`;
        await Deno.writeFile(
          join(runDir, path),
          sampleGrid(e / epochs, i * 100 + e),
        );
        lines.push({ kind: "sample", step, epoch: e, path });
        if ((opts.evalMetrics ?? []).length > 0 || opts.evals !== undefined) {
          const ev: Record<string, number | string> = {
            kind: "eval",
            step,
            epoch: e,
          };
          for (const [j, m] of (opts.evalMetrics ?? []).entries()) {
            ev[m] = (j + 1) * 40 / (1 + e) + rand();
          }
          if (opts.evals !== undefined) {
            const collapsed = opts.evals.collapsed?.(gridValues, i) ?? lr >= 1e-2;
            Object.assign(
              ev,
              evalLineFields(
                e / epochs,
                collapsed,
                rand,
                i,
                opts.evals.classifier?.(i) ?? "cedb162e4113",
                opts.evals.n?.(i) ?? 10_000,
              ),
            );
          }
          lines.push(ev as MetricsLine);
        }
      }
    }
    const seconds = (stopAt / 1000) * 42;
    if (outcome !== "running") {
      lines.push({
        kind: "end",
        time: "2025-01-01T01:00:00.000Z",
        step: stopAt,
        status: outcome,
        seconds,
      });
    }
    let text = lines.map((l) => JSON.stringify(l) + "\n").join("");
    if (opts.torn?.(i)) {
      text += '{"kind":"step","step":' + (stopAt + logEvery) + ',"dLo';
    }
    await Deno.writeTextFile(join(runDir, "metrics.jsonl"), text);
    if (opts.gif && outcome !== "running") {
      await Deno.writeFile(join(runDir, "samples", "progress.gif"), TINY_GIF);
    }
    const status: RunStatusFile = {
      status: outcome,
      step: stopAt,
      epoch: Math.ceil(stopAt / perEpoch),
      totalSteps: total,
      updated: "2025-01-01T01:00:00.000Z",
      seconds,
    };
    if (outcome === "diverged") {
      status.diverged = {
        step: stopAt + logEvery,
        reason: "dLoss is NaN",
        lastFinite: { dLoss: 3.1, gLoss: 9.7 },
      };
    }
    if (outcome === "failed") {
      status.error = "Error: Kernel 'Conv2DBackpropFilter' not registered\n" +
        "    at train (lib/train/loop.ts:120:5)";
    }
    await Deno.writeTextFile(
      join(runDir, "status.json"),
      JSON.stringify(status),
    );
  }
  return root;
}

/**
 * Write a wide sweep as it stands mid-way: 20 runs (10 learning rates × 2 seeds), every one still running, the size
 * at which the live report's patches and load are measured.
 *
 * @param dir The results root (e.g. a temp folder).
 * @param name The experiment's name.
 * @param epochs Epochs of log each run has so far.
 * @returns The experiment's folder and its run ids, in grid order.
 */
export async function writeRunningWideSweep(
  dir: string,
  name: string,
  epochs: number,
): Promise<{ root: string; runs: string[] }> {
  const grid = { lr: [1e-2, 5e-3, 2e-3, 1e-3, 5e-4, 2e-4, 1e-4, 5e-5, 2e-5, 1e-5], seed: [1, 2] };
  const root = await writeFixtureExperiment(dir, { name, grid, epochs, evals: {}, outcome: () => "running" });
  const runs = JSON.parse(await Deno.readTextFile(join(root, "experiment.json"))).runs as string[];
  return { root, runs };
}
