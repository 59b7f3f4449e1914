/**
 * `deno task bench`: milliseconds per training iteration (D step + G step, Adam,
 * batches and noise built as the loop builds them) for every architecture at its
 * post's batch size and image shape (MNIST's 28×28×1; `dcgan`, the colour study's, at 32×32×3 and 64×64×3 on
 * random images), on each backend asked for; GFLOP/s achieved by the
 * convention of `lib/bench/flops.ts`; a table on stdout and the results as JSON.
 *
 * ```sh
 * deno task bench                                  # wasm, all architectures
 * deno task bench --backend wasm,cpu --repeats 3   # cpu times the MLPs only
 * deno task bench --arch dcgan-tf --backend cpu    # naming a DCGAN times it on cpu too
 * deno task bench --arch mlp-keras --reference     # and the numpy reference (python3)
 * deno task bench --reference torch --threads 1,2  # and PyTorch on the same cores (/usr/bin/python3 with torch)
 * deno task bench --reference torch --pairs 8      # … in 8 alternating blocks each: ratios in the same minutes
 * deno task bench --reference torch --pairs 8 --processes 4   # … in 4 fresh processes: the median across them
 * deno task bench --arch dcgan-tf --profile         # and where the time goes, by kernel
 * deno task bench --arch dcgan --reference torch --pairs 8 --threads 1,2   # the colour DCGANs, 32 and 64 px
 * deno task bench --backend webgpu --tf-flag WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30   # a tfjs flag set
 * ```
 *
 * The machine's other load moves these numbers by tens of percent: compare
 * runs taken back to back, and look at the spread in the JSON `times`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, fromFileUrl, join } from "@std/path";
import { writeJsonAtomic } from "../lib/atomic_write.ts";
import {
  BENCH_ARCHS,
  type BenchCase,
  benchCases,
  type BenchResult,
  caseName,
  measureIteration,
  warmEngine,
} from "../lib/bench/iteration.ts";
import { benchImages, formatShape, MNIST_SHAPE } from "../lib/bench/images.ts";
import { type BackendInfo, startBackend } from "../lib/tfjs/backend.ts";
import { type FlagSpec, parseFlags, requireWritable, runMain } from "../lib/cli/flags.ts";
import { InputError } from "../lib/input_error.ts";
import { parseTfFlags, type TfFlagValue } from "../lib/tfjs/flags.ts";
import { simdFor } from "../lib/kernels/_simd_module.ts";
import { useGemmThreads } from "../lib/kernels/register_wasm_kernels.ts";
import { describeGemm, gemmInfo } from "../lib/kernels/gemm_info.ts";
import { gemmLimitGflops, LIMIT_SIDE } from "../lib/bench/gemm_limit.ts";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import "../lib/train/builtins.ts";
import { kindNames } from "../lib/plugins/kinds.ts";
import { LOSSES } from "../lib/experiment/config.ts";
import "../lib/tfjs/kernels_setup.ts";
import {
  type PairedRatio,
  pairWithTorch,
  TORCH_MALLOC_ENV,
  TORCH_PYTHON,
  torchFailed,
  TorchPeer,
} from "../lib/bench/torch_pairs.ts";
import { acrossProcesses, pairsInProcesses, processJsonPath } from "../lib/bench/processes.ts";

const USAGE = `Usage: deno task bench [options]

Options:
  --backend LIST   comma-separated backends: wasm, cpu, webgpu (default: wasm)
  --arch LIST      comma-separated architectures (default: all: ${BENCH_ARCHS.join(", ")}).
                   DCGANs are skipped on cpu and on a software WebGPU adapter unless named here.
                   dcgan (experiments/study-colour-dcgan.ts) is timed at 32×32×3 and 64×64×3 on random
                   images of that shape (the others on MNIST), as bench/reference/torch_gan.py does
  --batch N        one batch size for every architecture (default: each post's own)
  --kind LIST      comma-separated kinds of GAN to time on each architecture (default: gan): ${kindNames().join(", ")}
  --loss LIST      comma-separated losses to time instead of each post's own: ${LOSSES.join(", ")}
                   (an iteration is what the loop runs: wgan and wgan-gp train the critic 5 times)
  --warmup N       untimed iterations before timing (default: 1)
  --repeats N      timed iterations; the median is reported (default: 5)
  --engine-warmup N  untimed mlp-tf1 iterations on each backend before any case is timed (default: 100;
                   0: none): V8 optimizes tfjs's engine over a process's first ~100 iterations, which
                   a training run amortizes and the first case timed would otherwise pay for
  --threads LIST   GEMM threads to time on wasm, e.g. 1,2 (default: 1, the one-core figures)
  --json FILE      where to write the results (default: results/bench.json)
  --profile        after timing, profile one iteration and print the 8 slowest kernels
                   and the 5 slowest single calls with their shapes
  --reference [LIST]  also time references, comma-separated: numpy (the default when no value
                   is given: bench/reference/mlp_keras_numpy.py, the mlp-keras iteration on one
                   core, needs python3 with numpy) and torch (bench/reference/torch_gan.py --device
                   cpu --threads N for the same architectures and batches at each --threads count,
                   torch's and OpenBLAS's threads both set, glibc's malloc kept from returning
                   memory each iteration: torch's best case; needs /usr/bin/python3 with torch);
                   prints harness/reference ratios, torch's at the same thread count
  --torch-blas-threads N  with --reference torch: OpenBLAS's threads inside torch (default: the same as
                   --threads); --threads 2 --torch-blas-threads 1 gives torch's convolutions (oneDNN, on torch's
                   own threads) both cores without oversubscribing them with OpenBLAS's
  --pairs N        with --reference torch: time harness and torch in N pairs of alternating blocks of
                   --repeats iterations (one warm torch process per thread count) instead of torch's
                   one run before the harness's, and print each ratio's median over the pairs and
                   its range: both numbers of a ratio under the same machine load
  --processes N    with --pairs: run the paired bench in N fresh processes, one after another, and
                   print each ratio's median over the processes and their range (a process's small-MLP
                   ratio can sit ±15% from another's for its whole life); each process's JSON goes
                   beside --json's, -process-<i> added to the name
  --tf-flag N=V    set a TensorFlow.js flag before timing (repeatable), e.g. the WebGPU backend's
                   WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30, WEBGPU_MATMUL_PROGRAM_TYPE=1,
                   WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=false; recorded in the JSON
  --help           this text`;

const CONV_ARCHS = new Set(["dcgan-tf", "dcgan-gia", "dcgan"]);
const BACKENDS = ["wasm", "cpu", "webgpu"] as const;

/** The numpy reference's answer. */
interface Reference {
  msPerIteration: number;
  times: number[];
  numpy: string;
}

function positiveInt(flag: string, value: unknown, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new InputError(`--${flag}`, `expected an integer ≥ ${min}: got '${value}'`);
  }
  return n;
}

function list<T extends string>(flag: string, value: unknown, allowed: readonly T[]): T[] {
  const items = String(value).split(",").map((s) => s.trim()).filter((s) => s);
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw new InputError(`--${flag}`, `unknown value '${item}' (expected: ${allowed.join(", ")})`);
    }
  }
  if (items.length === 0) throw new InputError(`--${flag}`, "expected at least one value");
  return items as T[];
}

/** What the torch reference wrote (bench/reference/torch_gan.py's JSON), the parts used here. */
interface TorchReference {
  torch: string;
  deviceName: string;
  blas: { libraries: string[]; openblas?: string; openblasThreads?: number; mkldnn: boolean } | null;
  /** `image`: `[height, width, channels]` (absent from older files: MNIST's). */
  results: Array<{ arch: string; batchSize: number; image?: number[]; msPerIteration: number; times: number[] }>;
}

/** The BLAS a torch reference multiplied with, as its JSON names it. */
function blasName(ref: TorchReference): string {
  return ref.blas?.openblas ?? ref.blas?.libraries.join(", ") ?? "unknown";
}

/**
 * Run bench/reference/torch_gan.py on the CPU for `archs` with `threads` threads (torch's and OpenBLAS's), writing
 * its JSON to `jsonPath`; null (with a note printed) when /usr/bin/python3 or torch is missing.
 */
async function runTorchReference(
  archs: string[],
  batch: number | undefined,
  repeats: number,
  warmup: number,
  threads: number,
  blasThreads: number | undefined,
  jsonPath: string,
): Promise<TorchReference | null> {
  const script = join(dirname(fromFileUrl(import.meta.url)), "..", "bench", "reference", "torch_gan.py");
  const args = [script, "--device", "cpu", "--threads", String(threads), "--arch", archs.join(","), "--json", jsonPath];
  if (blasThreads !== undefined) args.push("--blas-threads", String(blasThreads));
  args.push("--warmup", String(warmup + 1), "--repeats", String(repeats));
  if (batch !== undefined) args.push("--batch", String(batch));
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(TORCH_PYTHON, { args, env: TORCH_MALLOC_ENV, stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable) {
      console.log(`torch reference: cannot run ${TORCH_PYTHON} (${(e as Error).message}); skipped`);
      return null;
    }
    throw e;
  }
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    console.log(torchFailed(stderr));
    return null;
  }
  const ref = JSON.parse(await Deno.readTextFile(jsonPath)) as TorchReference;
  const openblasThreads = ref.blas?.openblasThreads ? `, ${ref.blas.openblasThreads} OpenBLAS threads` : "";
  const malloc = Object.entries(TORCH_MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(" ");
  console.log(
    `torch reference: torch ${ref.torch} on ${ref.deviceName}; BLAS ${blasName(ref)}${openblasThreads}; ${malloc}`,
  );
  for (const r of ref.results) {
    const name = caseName({ arch: r.arch, imageShape: r.image ?? MNIST_SHAPE });
    console.log(`  torch ${name} batch ${r.batchSize}: ${r.msPerIteration.toFixed(1)} ms/iteration`);
  }
  return ref;
}

/** One torch reference run: its thread count, where its JSON went, what it measured. */
interface TorchRun {
  threads: number;
  json: string;
  ref: TorchReference;
}

/**
 * The torch reference at each of `threadCounts` (its JSON beside the bench's, `-torch-<n>threads` added to the name);
 * empty when torch cannot run.
 */
async function runTorchReferences(
  archs: string[],
  batch: number | undefined,
  repeats: number,
  warmup: number,
  threadCounts: number[],
  blasThreads: number | undefined,
  jsonPath: string,
): Promise<TorchRun[]> {
  const runs: TorchRun[] = [];
  for (const threads of threadCounts) {
    const json = jsonPath.replace(/(\.json)?$/, `-torch-${threads}threads.json`);
    const ref = await runTorchReference(archs, batch, repeats, warmup, threads, blasThreads, json);
    if (ref === null) return [];
    runs.push({ threads, json, ref });
  }
  return runs;
}

/** Harness/torch for each wasm result at its post's settings, against torch at the same thread count. */
function torchRatiosOf(results: BenchResult[], torch: TorchRun[]) {
  return results.filter((r) => r.backend === "wasm" && asPosted(r)).flatMap((r) => {
    const run = torch.find((t) => t.threads === r.threads);
    const shape = formatShape(r.imageShape);
    const t = run?.ref.results.find((t) =>
      t.arch === r.arch && t.batchSize === r.batchSize && formatShape(t.image ?? MNIST_SHAPE) === shape
    );
    return t
      ? [{
        arch: r.arch,
        imageShape: r.imageShape,
        batchSize: r.batchSize,
        threads: r.threads,
        harnessMs: r.msPerIteration,
        torchMs: t.msPerIteration,
      }]
      : [];
  });
}

/** Run the numpy reference on one core; null (with a note printed) when python3 or numpy is missing. */
async function runReference(repeats: number, warmup: number): Promise<Reference | null> {
  const script = join(dirname(fromFileUrl(import.meta.url)), "..", "bench", "reference", "mlp_keras_numpy.py");
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("python3", {
      args: [script, "--batch", "128", "--repeats", String(Math.max(repeats, 5)), "--warmup", String(warmup + 1)],
      env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      console.log("reference: python3 not found; skipped");
      return null;
    }
    if (e instanceof Deno.errors.NotCapable) {
      // e.g. bench/gpu/run.sh set LD_LIBRARY_PATH for the Vulkan loader: Deno refuses to pass it on under a
      // narrowed --allow-run
      console.log(`reference: ${(e as Error).message}; skipped`);
      return null;
    }
    throw e;
  }
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    const missing = /No module named 'numpy'/.test(stderr);
    console.log(`reference: ${missing ? "numpy is not installed" : `python3 failed: ${stderr.trim()}`}; skipped`);
    return null;
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as Reference;
}

/** Whether a result is of the post's own kind and loss: what the references time. */
function asPosted(r: BenchResult | BenchCase): boolean {
  return r.kind === "gan" && r.loss === benchCases(r.arch)[0]!.loss;
}

/**
 * Harness and torch in `pairs` alternating blocks for each case at its post's settings, on `threads` threads (the
 * harness's GEMM threads already set); empty when torch cannot run.
 */
async function pairedRatios(
  cases: BenchCase[],
  threads: number,
  options: { pairs: number; repeats: number; warmup: number; blasThreads: number | undefined },
): Promise<PairedRatio[]> {
  const blasThreads = options.blasThreads ?? threads;
  const peer = await TorchPeer.start(threads, options.warmup + 1, blasThreads);
  if (!peer) return [];
  console.log(
    `  torch ${peer.torch}, ${threads} thread${
      threads > 1 ? "s" : ""
    } (OpenBLAS ${blasThreads}), in ${options.pairs} ` +
      "pairs of blocks:",
  );
  const out: PairedRatio[] = [];
  try {
    for (const c of cases.filter(asPosted)) {
      const data = await benchImages(c.imageShape, c.pixelRange);
      const r = await pairWithTorch(peer, c, data, { ...options, threads });
      console.log(`    ${describePair(r)}`);
      out.push(r);
    }
  } finally {
    await peer.close();
  }
  return out;
}

/** The paired bench in `n` fresh processes: each prints its own, then the median across them is printed and saved. */
async function benchInProcesses(n: number, pairs: number, jsonPath: string): Promise<number> {
  const runs = await pairsInProcesses(Deno.args, n, jsonPath);
  const ratios = acrossProcesses(runs);
  console.log();
  console.log(`harness (wasm) / torch over ${n} processes of ${pairs} pairs each, median of the processes' ratios:`);
  if (ratios.length === 0) console.log("  none: torch did not run in any process (see each process's output)");
  for (const r of ratios) {
    const range = `${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}`;
    console.log(
      `  ${caseName(r)} batch ${r.batchSize}, ${r.threads} thread${r.threads > 1 ? "s" : ""}: ` +
        `${r.harnessMs.toFixed(1)} / ${r.torchMs.toFixed(1)} ms = ${r.ratio.toFixed(2)}× (${range}; ` +
        `by process ${r.perProcess.map((x) => x.toFixed(2)).join(" ")})`,
    );
  }
  await Deno.mkdir(dirname(jsonPath), { recursive: true });
  await writeJsonAtomic(jsonPath, {
    kind: "bench-processes",
    time: new Date().toISOString(),
    args: Deno.args,
    processes: runs.map((_, i) => processJsonPath(jsonPath, i + 1)),
    pairs,
    ratios,
  });
  console.log(`wrote ${jsonPath}`);
  return 0;
}

function describePair(r: PairedRatio): string {
  const range = `${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}`;
  return `${caseName(r)} batch ${r.batchSize}, ${r.threads} thread${r.threads > 1 ? "s" : ""}: ` +
    `${r.harnessMs.toFixed(1)} / ${r.torchMs.toFixed(1)} ms = ${r.ratio.toFixed(2)}× (${range}, ${r.pairs} pairs)`;
}

/** A row's key in the GEMM limits measured: its backend and threads. */
const limitKey = (r: { backend: string; threads: number }) => `${r.backend}:${r.threads}`;

/**
 * The table on stdout; `simdPeak` (GFLOP/s) adds each SIMD-GEMM row's share of its cores' SIMD peak, `limits`
 * each wasm row's share of a large sgemm on the same GEMM and threads ("of limit").
 */
function table(results: BenchResult[], simdPeak: number | null, limits: ReadonlyMap<string, number>): string {
  const head = [
    "arch",
    "kind",
    "loss",
    "post",
    "image",
    "batch",
    "backend",
    "ms/iter",
    "min",
    "max",
    "GFLOP/iter",
    "GFLOP/s",
    "of peak",
    "of limit",
  ];
  const rows = results.map((r) => [
    r.arch,
    r.kind,
    r.loss,
    r.post,
    formatShape(r.imageShape),
    String(r.batchSize),
    r.threads > 1 ? `${r.backend} ×${r.threads}` : r.backend,
    r.msPerIteration.toFixed(1),
    Math.min(...r.times).toFixed(1),
    Math.max(...r.times).toFixed(1),
    (r.flops.total / 1e9).toFixed(3),
    r.gflopsPerSecond.toFixed(2),
    // The share of the wasm SIMD peak says something only for the SIMD GEMM.
    r.backend === "wasm" && simdPeak && r.gemm?.library === "wasm-simd"
      ? `${(100 * r.gflopsPerSecond / (simdPeak * r.threads)).toFixed(0)}%`
      : "-",
    limits.has(limitKey(r)) ? `${(100 * r.gflopsPerSecond / limits.get(limitKey(r))!).toFixed(0)}%` : "-",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** What the flags ask for. */
interface BenchOptions {
  backends: (typeof BACKENDS)[number][];
  /** Whether `--arch` named the architectures (slow ones are then timed too). */
  named: boolean;
  archs: string[];
  cases: BenchCase[];
  warmup: number;
  repeats: number;
  pairs: number | undefined;
  processes: number | undefined;
  engineWarmup: number;
  torchBlasThreads: number | undefined;
  jsonPath: string;
  threadCounts: number[];
  tfFlags: Record<string, TfFlagValue>;
  references: ("numpy" | "torch")[];
  profile: boolean;
  /** `--loss` was given: each line names the loss. */
  namedLoss: boolean;
  batch: number | undefined;
}

const FLAG_SPEC: FlagSpec = {
  string: [
    "backend",
    "arch",
    "batch",
    "kind",
    "loss",
    "warmup",
    "repeats",
    "json",
    "threads",
    "tf-flag",
    "reference",
    "pairs",
    "engine-warmup",
    "processes",
    "torch-blas-threads",
  ],
  boolean: ["profile"],
  collect: ["tf-flag"],
  default: {
    backend: "wasm",
    warmup: "1",
    repeats: "5",
    json: "results/bench.json",
    threads: "1",
    "engine-warmup": "100",
  },
  positionals: 0,
};

/** The options from the parsed flags, each checked. */
function benchOptions(flags: ReturnType<typeof parseFlags>): BenchOptions {
  const named = flags.arch !== undefined;
  const archs = named ? list("arch", flags.arch, BENCH_ARCHS) : [...BENCH_ARCHS];
  const batch = flags.batch === undefined ? undefined : positiveInt("batch", flags.batch, 1);
  const optionalInt = (flag: string) => flags[flag] === undefined ? undefined : positiveInt(flag, flags[flag], 1);
  const jsonPath = String(flags.json);
  requireWritable("--json", jsonPath);
  const kinds = flags.kind === undefined ? ["gan"] : list("kind", flags.kind, kindNames());
  const losses = flags.loss === undefined ? [undefined] : list("loss", flags.loss, LOSSES);
  // Cases grouped by pixel range, so each scaled copy of MNIST is loaded once.
  const cases = archs.flatMap((a) => benchCases(a, batch))
    .flatMap((c) => kinds.flatMap((kind) => losses.map((loss) => ({ ...c, kind, loss: loss ?? c.loss }))))
    .sort((a, b) => a.pixelRange.localeCompare(b.pixelRange));
  const options: BenchOptions = {
    backends: list("backend", flags.backend, BACKENDS),
    named,
    archs,
    cases,
    warmup: positiveInt("warmup", flags.warmup, 0),
    repeats: positiveInt("repeats", flags.repeats, 1),
    pairs: optionalInt("pairs"),
    processes: optionalInt("processes"),
    engineWarmup: positiveInt("engine-warmup", flags["engine-warmup"], 0),
    torchBlasThreads: flags["torch-blas-threads"] === undefined
      ? undefined
      : Number(list("torch-blas-threads", flags["torch-blas-threads"], ["1", "2"] as const)[0]),
    jsonPath,
    threadCounts: list("threads", flags.threads, ["1", "2"] as const).map(Number),
    tfFlags: parseTfFlags(flags["tf-flag"] as string[]),
    references: flags.reference === undefined
      ? []
      : list("reference", flags.reference === "" ? "numpy" : flags.reference, ["numpy", "torch"] as const),
    profile: flags.profile === true,
    namedLoss: flags.loss !== undefined,
    batch,
  };
  checkPairing(options);
  return options;
}

/** `--pairs` needs torch, and `--processes` needs `--pairs`. */
function checkPairing({ pairs, processes, references }: BenchOptions): void {
  if (pairs !== undefined && !references.includes("torch")) {
    throw new InputError(
      "--pairs",
      `pairs blocks of the harness with torch's: add --reference torch (got --pairs ${pairs})`,
    );
  }
  if (processes !== undefined && pairs === undefined) {
    throw new InputError(
      "--processes",
      `runs the paired bench in fresh processes: add --reference torch --pairs N (got --processes ${processes})`,
    );
  }
}

/** What timing every backend and thread count gathers. */
interface Timings {
  results: BenchResult[];
  paired: PairedRatio[];
  backendInfo: Record<string, BackendInfo>;
  skipped: string[];
  simdPeak: number | null;
  limits: Map<string, number>;
}

/** Print one timed case: its time, throughput and data share, and its kernels when profiled. */
function logResult(r: BenchResult, namedLoss: boolean): void {
  const variant = `${r.kind === "gan" ? "" : ` ${r.kind}`}${namedLoss ? ` ${r.loss}` : ""}`;
  console.log(
    `  ${caseName(r)}${variant} (post ${r.post}) batch ${r.batchSize}: ${r.msPerIteration.toFixed(1)} ms/iteration, ` +
      `${r.gflopsPerSecond.toFixed(2)} GFLOP/s, data pipeline ${(100 * r.dataShare).toFixed(1)}%` +
      (r.outsideKernels !== undefined ? `, outside kernels ${(100 * r.outsideKernels).toFixed(0)}%` : ""),
  );
  for (const k of r.kernels?.slice(0, 8) ?? []) {
    console.log(`    ${k.kernel.padEnd(24)} ${k.ms.toFixed(1).padStart(9)} ms ${String(k.calls).padStart(5)} calls`);
  }
  if (r.slowestCalls) console.log("    slowest calls:");
  for (const c of r.slowestCalls?.slice(0, 5) ?? []) {
    const shapes = (xs: Array<number[] | null>) => xs.filter((x) => x).map((x) => `[${x}]`).join(" ");
    console.log(
      `      ${c.kernel.padEnd(22)} ${c.ms.toFixed(1).padStart(9)} ms  ${shapes(c.inputShapes)} → ${
        shapes(c.outputShapes)
      }`,
    );
  }
}

/** Start `backend` and say what it is: its device, GEMM, the engine's warm-up and (on wasm) the SIMD peak. */
async function startTimedBackend(backend: BenchOptions["backends"][number], o: BenchOptions, t: Timings) {
  const info = await startBackend(backend, o.tfFlags);
  t.backendInfo[backend] = info;
  console.log(`backend ${backend}: ${info.device} (${info.reason})`);
  if (info.gemm) console.log(`  ${describeGemm(info.gemm)}`);
  if (o.engineWarmup > 0) {
    const ms = await warmEngine(o.engineWarmup);
    console.log(`  engine warmed: ${o.engineWarmup} untimed mlp-tf1 iterations (${(ms / 1000).toFixed(1)} s)`);
  }
  const simd = backend === "wasm" ? simdFor(tf.backend() as BackendWasm) : null;
  if (simd) {
    t.simdPeak = simd.maddPeakGflops();
    console.log(
      `  SIMD peak of this core (${simd.variant} build, register-only multiply-adds): ${t.simdPeak.toFixed(1)} GFLOP/s`,
    );
  }
  return info;
}

/** Time every case on `backend` at `threads` GEMM threads (and pair it with torch under `--pairs`). */
async function timeAtThreads(backend: string, threads: number, slow: boolean, o: BenchOptions, t: Timings) {
  if (threads > 1) console.log(`  GEMM on ${threads} threads:`);
  const gemm = backend === "wasm" ? gemmInfo() : null;
  if (gemm && threads > 1) console.log(`  ${describeGemm(gemm)}`);
  if (gemm) {
    const limit = await gemmLimitGflops();
    t.limits.set(limitKey({ backend, threads }), limit);
    console.log(`  limit: a ${LIMIT_SIDE}³ sgemm on it runs at ${limit.toFixed(1)} GFLOP/s`);
  }
  for (const c of o.cases) {
    if (slow && CONV_ARCHS.has(c.arch) && !o.named) {
      t.skipped.push(`${caseName(c)}@${c.batchSize} on ${backend}`);
      continue;
    }
    const data = await benchImages(c.imageShape, c.pixelRange);
    const r = await measureIteration(c, data, { warmup: o.warmup, repeats: o.repeats, profile: o.profile, threads });
    logResult(r, o.namedLoss);
    t.results.push(r);
  }
  if (backend === "wasm" && o.pairs !== undefined) {
    const pairing = { pairs: o.pairs, repeats: o.repeats, warmup: o.warmup, blasThreads: o.torchBlasThreads };
    t.paired.push(...await pairedRatios(o.cases, threads, pairing));
  }
}

/** Time every case on every backend and thread count. */
async function timeBackends(o: BenchOptions): Promise<Timings> {
  const t: Timings = { results: [], paired: [], backendInfo: {}, skipped: [], simdPeak: null, limits: new Map() };
  for (const backend of o.backends) {
    const info = await startTimedBackend(backend, o, t);
    const slow = backend === "cpu" || (backend === "webgpu" && /software/.test(info.reason));
    for (const threads of backend === "wasm" ? o.threadCounts : [1]) {
      if (backend === "wasm" && (await useGemmThreads(threads)) !== threads) {
        console.log(`  ${threads} GEMM threads are not available here; skipped`);
        continue;
      }
      await timeAtThreads(backend, threads, slow, o, t);
    }
    if (backend === "wasm") await useGemmThreads(1);
  }
  if (t.skipped.length > 0) {
    console.log(`skipped (slow; name the architecture with --arch to time it): ${t.skipped.join(", ")}`);
  }
  return t;
}

/** The numpy reference with the harness's ratios to it (mlp-keras at batch 128, as posted). */
function numpyRatios(ref: Reference | null, results: BenchResult[]) {
  if (!ref) return null;
  const ratios: Record<string, number> = {};
  for (const r of results.filter((r) => asPosted(r) && r.arch === "mlp-keras" && r.batchSize === 128)) {
    ratios[r.threads > 1 ? `${r.backend} ×${r.threads} threads` : r.backend] = r.msPerIteration / ref.msPerIteration;
  }
  return { ...ref, ratios };
}

/** Print the table and every ratio to a reference. */
function printSummary(
  t: Timings,
  reference: ReturnType<typeof numpyRatios>,
  torch: TorchRun[],
  torchRatios: ReturnType<typeof torchRatiosOf>,
  pairs: number | undefined,
): void {
  console.log();
  console.log(table(t.results, t.simdPeak, t.limits));
  if (reference) {
    console.log();
    console.log(`numpy reference (mlp-keras, batch 128, 1 core): ${reference.msPerIteration.toFixed(1)} ms/iteration`);
    for (const [backend, ratio] of Object.entries(reference.ratios)) {
      console.log(`  tfjs ${backend} / numpy: ${ratio.toFixed(2)}×`);
    }
  }
  if (torchRatios.length) {
    console.log();
    const first = torch[0]!.ref;
    console.log(`harness (wasm) / torch ${first.torch} (BLAS ${blasName(first)}), the same threads on both sides:`);
    for (const x of torchRatios) {
      console.log(
        `  ${caseName(x)} batch ${x.batchSize}, ${x.threads} thread${x.threads > 1 ? "s" : ""}: ` +
          `${x.harnessMs.toFixed(1)} / ${x.torchMs.toFixed(1)} ms = ${(x.harnessMs / x.torchMs).toFixed(2)}×`,
      );
    }
  }
  if (t.paired.length) {
    console.log();
    console.log(`harness (wasm) / torch in ${pairs} pairs of alternating blocks, median ratio (range):`);
    for (const r of t.paired) console.log(`  ${describePair(r)}`);
  }
  console.log("\nTimings are noisy on a shared 2-core machine: see min/max, and compare runs taken back to back.");
}

/** The torch part of the JSON: the whole-run references, or the paired ratios. */
function torchJson(torch: TorchRun[], torchRatios: ReturnType<typeof torchRatiosOf>, t: Timings, o: BenchOptions) {
  if (torch.length) {
    return {
      torch: torch[0]!.ref.torch,
      deviceName: torch[0]!.ref.deviceName,
      runs: torch.map((r) => ({ threads: r.threads, json: r.json, blas: r.ref.blas })),
      env: TORCH_MALLOC_ENV,
      ratios: torchRatios,
    };
  }
  if (!t.paired.length) return null;
  return { env: TORCH_MALLOC_ENV, pairs: o.pairs, blasThreads: o.torchBlasThreads ?? "as --threads", ratios: t.paired };
}

async function main(): Promise<number> {
  const flags = parseFlags(Deno.args, FLAG_SPEC);
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const o = benchOptions(flags);
  if (Object.keys(o.tfFlags).length) console.log(`tfjs flags: ${JSON.stringify(o.tfFlags)}`);
  if (o.processes !== undefined) return await benchInProcesses(o.processes, o.pairs!, o.jsonPath);
  // The references run first, next to the harness's timings, so both see similar machine load.
  const ref = o.references.includes("numpy") ? await runReference(o.repeats, o.warmup) : null;
  const torch = o.references.includes("torch") && o.pairs === undefined
    ? await runTorchReferences(o.archs, o.batch, o.repeats, o.warmup, o.threadCounts, o.torchBlasThreads, o.jsonPath)
    : [];
  const t = await timeBackends(o);
  const reference = numpyRatios(ref, t.results);
  const torchRatios = torchRatiosOf(t.results, torch);
  printSummary(t, reference, torch, torchRatios, o.pairs);
  await Deno.mkdir(dirname(o.jsonPath), { recursive: true });
  await writeJsonAtomic(o.jsonPath, {
    kind: "bench",
    time: new Date().toISOString(),
    tfjs: tf.version.tfjs,
    deno: Deno.version.deno,
    warmup: o.warmup,
    engineWarmup: o.engineWarmup,
    repeats: o.repeats,
    flopConvention: "lib/bench/flops.ts: 2 per multiply-add over Dense/Conv2D/Conv2DTranspose; " +
      "backward = 2x forward; iteration = 4*G*B + 8*D*B",
    backends: t.backendInfo,
    tfFlags: o.tfFlags,
    simdPeakGflops: t.simdPeak,
    gemmLimitGflops: Object.fromEntries(t.limits),
    results: t.results,
    skipped: t.skipped,
    reference,
    torchReference: torchJson(torch, torchRatios, t, o),
  });
  console.log(`wrote ${o.jsonPath}`);
  return 0;
}

if (import.meta.main) await runMain(main);
