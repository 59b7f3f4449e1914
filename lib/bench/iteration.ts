/**
 * Measuring how long one training iteration takes: the seed posts' settings per
 * architecture (and the colour study's for `dcgan`, at 32×32×3 and 64×64×3), and a function that times D step +
 * G step exactly as
 * `lib/train/loop.ts` runs them (batch gathered on the host, noise drawn, both
 * uploaded, then the two steps with Adam), with warm-up iterations and the
 * median of repeats. FLOPs follow the convention of `lib/bench/flops.ts`.
 * @module
 */
import { type GemmInfo, gemmInfo } from "../kernels/gemm_info.ts";
import * as tf from "@tensorflow/tfjs";
import { getArch } from "../archs/registry.ts";
import { BatchOrder } from "../data/batches.ts";
import { forwardFlops, type IterationFlops, iterationFlops } from "./flops.ts";
import type { LossName } from "../train/losses.ts";
import type { PixelRange } from "../data/pixels.ts";
import { Rng, routeMathRandom } from "../rng.ts";
import type { TrainingImages } from "../data/training_images.ts";
import { IterationInputs } from "../train/iteration_inputs.ts";
import { requireKind } from "../plugins/kinds.ts";
import "../train/builtins.ts";
import { criticSteps, resolveConfig } from "../experiment/config.ts";
import { NUM_CLASSES } from "../classifier/model.ts";
import { loadTrainingImages } from "../data/training_images.ts";
import { formatShape, type ImageShape, MNIST_SHAPE } from "./images.ts";

/**
 * One architecture at one batch size and image shape, with the settings of the post it comes from (and a kind and
 * loss).
 */
export interface BenchCase {
  /** Registered architecture name. */
  arch: string;
  /** The kind of GAN (`gan` unless the bench is asked for others). */
  kind: string;
  /** The seed post it reproduces ("000" … "004"), or "colour" for the colour DCGAN study. */
  post: string;
  /** The experiment file whose settings these are (under `experiments/`). */
  experiment: string;
  /** `[height, width, channels]` of the images it trains on. */
  imageShape: ImageShape;
  batchSize: number;
  noiseDim: number;
  noise: "normal" | "uniform";
  pixelRange: PixelRange;
  lr: number;
  beta1: number;
  adamEpsilon: number;
  loss: LossName;
  realTarget: number;
  dLossReduce: "sum" | "mean";
  batching: "shuffle" | "random" | "sequential";
}

type Post = Omit<BenchCase, "batchSize" | "kind" | "imageShape">;

/** Each architecture's post settings, the batch sizes timed and the image shapes (MNIST's unless listed). */
const POSTS: Record<string, { post: Post; batchSizes: number[]; imageShapes?: ImageShape[] }> = {
  "mlp-keras": {
    post: {
      arch: "mlp-keras",
      post: "002",
      experiment: "blog-002-keras-mlp.ts",
      noiseDim: 10,
      noise: "uniform",
      pixelRange: "[-1,1]",
      lr: 2e-4,
      beta1: 0.5,
      adamEpsilon: 1e-7,
      loss: "bce",
      realTarget: 0.9,
      dLossReduce: "mean",
      batching: "sequential",
    },
    batchSizes: [128],
  },
  "mlp-pytorch": {
    post: {
      arch: "mlp-pytorch",
      post: "001",
      experiment: "blog-001-pytorch-fashion.ts",
      noiseDim: 64,
      noise: "normal",
      pixelRange: "[-1,1]",
      lr: 1e-4,
      beta1: 0.9,
      adamEpsilon: 1e-8,
      loss: "bce",
      realTarget: 1,
      dLossReduce: "sum",
      batching: "shuffle",
    },
    batchSizes: [100],
  },
  "mlp-tf1": {
    post: {
      arch: "mlp-tf1",
      post: "003",
      experiment: "blog-003-tf1-vanilla.ts",
      noiseDim: 128,
      noise: "normal",
      pixelRange: "[0,1]",
      lr: 2e-4,
      beta1: 0.9,
      adamEpsilon: 1e-8,
      loss: "bce",
      realTarget: 1,
      dLossReduce: "sum",
      batching: "shuffle",
    },
    batchSizes: [100],
  },
  "dcgan-tf": {
    post: {
      arch: "dcgan-tf",
      post: "000",
      experiment: "blog-000-tf-dcgan.ts",
      noiseDim: 100,
      noise: "normal",
      pixelRange: "[-1,1]",
      lr: 1e-4,
      beta1: 0.9,
      adamEpsilon: 1e-7,
      loss: "bce",
      realTarget: 1,
      dLossReduce: "sum",
      batching: "shuffle",
    },
    // The post's 256, and 64: what a CPU user is likely to pick.
    batchSizes: [256, 64],
  },
  "dcgan-gia": {
    post: {
      arch: "dcgan-gia",
      post: "004",
      experiment: "blog-004-gia-dcgan.ts",
      noiseDim: 100,
      noise: "normal",
      pixelRange: "[-1,1]",
      lr: 1e-3,
      beta1: 0.9,
      adamEpsilon: 1e-7,
      loss: "bce",
      realTarget: 1,
      dLossReduce: "mean",
      batching: "random",
    },
    batchSizes: [128],
  },
  "dcgan": {
    // experiments/study-colour-dcgan.ts at Radford et al.'s lr and noise size (the study's 32 px, and 64 px,
    // examples/dcgan's own size).
    post: {
      arch: "dcgan",
      post: "colour",
      experiment: "study-colour-dcgan.ts",
      noiseDim: 100,
      noise: "normal",
      pixelRange: "[-1,1]",
      lr: 2e-4,
      beta1: 0.5,
      adamEpsilon: 1e-7,
      loss: "bce",
      realTarget: 1,
      dLossReduce: "sum",
      batching: "shuffle",
    },
    batchSizes: [64],
    imageShapes: [[32, 32, 3], [64, 64, 3]],
  },
};

/** The architectures the bench knows the post settings of, in bench order. */
export const BENCH_ARCHS: readonly string[] = Object.keys(POSTS);

/**
 * The bench cases for an architecture: its post's settings at each image shape and batch size the bench times (or
 * at `batchSize` when given), image shape by image shape.
 * @throws {RangeError} for an architecture the bench has no post settings for.
 * @example
 * ```ts
 * import { benchCases } from "./iteration.ts";
 * console.log(benchCases("dcgan-tf").map((c) => c.batchSize)); // [256, 64]
 * console.log(benchCases("dcgan").map((c) => c.imageShape)); // [[32, 32, 3], [64, 64, 3]]
 * ```
 */
export function benchCases(arch: string, batchSize?: number): BenchCase[] {
  const entry = POSTS[arch];
  if (!entry) {
    throw new RangeError(`Cannot bench architecture '${arch}': expected one of ${BENCH_ARCHS.join(", ")}`);
  }
  const sizes = batchSize === undefined ? entry.batchSizes : [batchSize];
  return (entry.imageShapes ?? [MNIST_SHAPE]).flatMap((shape) =>
    sizes.map((b) => ({ ...entry.post, kind: "gan", imageShape: [...shape], batchSize: b }))
  );
}

/**
 * How logs name a case: its architecture, and its image shape when that is not MNIST's (`dcgan 64×64×3`).
 * @example
 * ```ts
 * import { benchCases, caseName } from "./iteration.ts";
 * console.log(benchCases("dcgan").map(caseName)); // ["dcgan 32×32×3", "dcgan 64×64×3"]
 * ```
 */
export function caseName(c: { arch: string; imageShape: readonly number[] }): string {
  const shape = formatShape(c.imageShape);
  return shape === formatShape(MNIST_SHAPE) ? c.arch : `${c.arch} ${shape}`;
}

/** How to measure. */
export interface MeasureOptions {
  /** Untimed iterations first (kernel set-up, Adam slots, wasm memory growth). */
  warmup: number;
  /** Timed iterations; the result is their median. */
  repeats: number;
  /** Seed for weights, noise, data order and dropout. */
  seed?: number;
  /** After timing, run one more iteration under `tf.profile` and report time per kernel. */
  profile?: boolean;
  /** GEMM threads in use (recorded in the result; the caller sets them with `useGemmThreads`). */
  threads?: number;
}

/** Time spent in one kernel during a profiled iteration. */
export interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
}

/** One kernel call of a profiled iteration, with its shapes. */
export interface KernelCall {
  kernel: string;
  ms: number;
  inputShapes: Array<number[] | null>;
  outputShapes: Array<number[] | null>;
}

/** What one measurement found. */
export interface BenchResult {
  arch: string;
  kind: string;
  loss: LossName;
  post: string;
  /** `[height, width, channels]` of the images. */
  imageShape: ImageShape;
  batchSize: number;
  backend: string;
  /** Threads of the GEMM (matrix products, convolutions) on wasm; 1 elsewhere. */
  threads: number;
  /** On wasm: which GEMM ran (OpenBLAS via FFI or the wasm SIMD GEMM), its version and threads. */
  gemm?: GemmInfo;
  warmup: number;
  /** Every timed iteration, in ms, in the order run. */
  times: number[];
  /** Median of `times`. */
  msPerIteration: number;
  flops: IterationFlops;
  /** `flops.total` over the median time. */
  gflopsPerSecond: number;
  params: { generator: number; discriminator: number };
  /** Share of the iteration spent building batches and noise on the host (the data pipeline). */
  dataShare: number;
  /** With `profile`: kernels by time, slowest first. */
  kernels?: KernelTime[];
  /** With `profile`: the slowest single kernel calls, with their shapes. */
  slowestCalls?: KernelCall[];
  /** With `profile`: share of the profiled iteration's wall time not inside any kernel. */
  outsideKernels?: number;
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Time training iterations of one case on the current backend.
 *
 * Each timed iteration ends with reading its losses back, so the time covers
 * all the work of the iteration (on wasm and cpu the kernels run synchronously
 * anyway; on webgpu the readback adds ≥ 10 ms that the training loop pays only
 * once per `logEvery` steps). Every tensor made here is disposed.
 * @param c the case.
 * @param data training images in `c.pixelRange`, of `c.imageShape` (`benchImages` gives them).
 * @param options warm-up and repeats.
 * @returns times, median, FLOPs and achieved GFLOP/s.
 * @throws {RangeError} when `repeats` < 1, `warmup` < 0 or the data has fewer images than a batch.
 * @throws {TypeError} when the data's image shape is not the case's.
 */
export async function measureIteration(
  c: BenchCase,
  data: TrainingImages,
  options: MeasureOptions,
): Promise<BenchResult> {
  if (!Number.isInteger(options.repeats) || options.repeats < 1) {
    throw new RangeError(`Cannot measure: 'repeats' must be a positive integer: current value is ${options.repeats}`);
  }
  if (!Number.isInteger(options.warmup) || options.warmup < 0) {
    throw new RangeError(`Cannot measure: 'warmup' must be a non-negative integer: current value is ${options.warmup}`);
  }
  if (formatShape(data.shape) !== formatShape(c.imageShape)) {
    throw new TypeError(
      `Cannot measure ${caseName(c)}: the data's images are ${formatShape(data.shape)}, the case's ${
        formatShape(c.imageShape)
      }`,
    );
  }
  if (data.count < c.batchSize) {
    throw new RangeError(`Cannot measure batch ${c.batchSize}: the data has only ${data.count} images`);
  }
  if (!getArch(c.arch)) throw new RangeError(`Cannot measure: no architecture is registered as '${c.arch}'`);
  const rng = new Rng(options.seed ?? 1);
  const restoreMathRandom = routeMathRandom(rng);
  const config = resolveConfig({
    arch: c.arch,
    kind: c.kind,
    loss: c.loss,
    lr: c.lr,
    beta1: c.beta1,
    adamEpsilon: c.adamEpsilon,
    labelSmoothing: c.realTarget,
    dLossReduce: c.dLossReduce,
    batchSize: c.batchSize,
    noiseDim: c.noiseDim,
    noise: c.noise,
    pixelRange: c.pixelRange,
    batching: c.batching,
    seed: options.seed ?? 1,
  });
  let kind;
  try {
    const loadImages = (name: "mnist" | "fashion-mnist") => loadTrainingImages(name, c.pixelRange);
    kind = await requireKind(c.kind, "--kind").build(config, {
      imageShape: data.shape,
      classes: NUM_CLASSES,
      rng,
      loadImages,
    });
  } catch (e) {
    restoreMathRandom();
    throw e;
  }
  const order = new BatchOrder(data.count, c.batchSize, c.batching, rng);
  let hostMs = 0; // building batches and noise on the host: the data pipeline
  const onHost = <T>(make: () => T): T => {
    const t = performance.now();
    const made = make();
    hostMs += performance.now() - t;
    return made;
  };
  const inputs = new (class extends IterationInputs {
    override batch() {
      return onHost(() => super.batch());
    }
    override noise() {
      return onHost(() => super.noise());
    }
  })(data, c, order, rng);
  // One iteration as the training loop runs it, then a readback of its numbers.
  const iteration = async (): Promise<number> => {
    const t0 = performance.now();
    const numbers = kind.iterate(inputs);
    const values = await numbers.data();
    numbers.dispose();
    const ms = performance.now() - t0;
    if (!values.every(Number.isFinite)) {
      throw new Error(`Cannot measure ${c.arch}: the iteration produced non-finite losses (${values.join(", ")})`);
    }
    return ms;
  };
  // A kind whose roles have other names (two generators, two discriminators) counts its first and last network.
  const networks = Object.values(kind.networks);
  const generator = kind.networks.generator ?? networks[0]!;
  const discriminator = kind.networks.discriminator ?? networks.at(-1)!;

  try {
    for (let i = 0; i < options.warmup; i++) await iteration();
    const times: number[] = [];
    hostMs = 0;
    for (let i = 0; i < options.repeats; i++) times.push(await iteration());
    const ms = median(times);
    const dataShare = hostMs / times.reduce((a, t) => a + t, 0);
    const profiled = options.profile ? await profileKernels(iteration) : undefined;
    // (The count of the D steps and a G step; for kinds with more networks or losses, a lower bound.)
    const critic = criticSteps(config);
    const flops = iterationFlops(forwardFlops(generator), forwardFlops(discriminator), c.batchSize, critic);
    const gemm = gemmInfo();
    return {
      arch: c.arch,
      kind: c.kind,
      loss: c.loss,
      post: c.post,
      imageShape: [...c.imageShape],
      batchSize: c.batchSize,
      backend: tf.getBackend(),
      threads: options.threads ?? 1,
      warmup: options.warmup,
      times,
      msPerIteration: ms,
      flops,
      gflopsPerSecond: flops.total / (ms * 1e6),
      params: { generator: generator.countParams(), discriminator: discriminator.countParams() },
      dataShare,
      ...(gemm ? { gemm } : {}),
      ...(profiled ? profiled : {}),
    };
  } finally {
    kind.dispose();
    restoreMathRandom();
  }
}

async function profileKernels(
  iteration: () => Promise<number>,
): Promise<{ kernels: KernelTime[]; slowestCalls: KernelCall[]; outsideKernels: number }> {
  let wall = 0;
  const info = await tf.profile(async () => {
    wall = await iteration();
  });
  const byKernel = new Map<string, KernelTime>();
  // Entries named `…__op` wrap the kernels they call: counting them would count time twice.
  const calls = info.kernels.filter((k) => !k.name.endsWith("__op"));
  for (const k of calls) {
    const e = byKernel.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs);
    e.calls += 1;
    byKernel.set(k.name, e);
  }
  const kernels = [...byKernel.values()].sort((a, b) => b.ms - a.ms);
  const inKernels = kernels.reduce((a, k) => a + k.ms, 0);
  const slowestCalls = calls
    .map((k) => ({
      kernel: k.name,
      ms: Number(k.kernelTimeMs),
      inputShapes: k.inputShapes as Array<number[] | null>,
      outputShapes: k.outputShapes as Array<number[] | null>,
    }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10);
  return { kernels, slowestCalls, outsideKernels: Math.max(0, 1 - inKernels / wall) };
}

/**
 * Warm the JavaScript engine before anything is timed. V8 optimizes tfjs's engine, tape and layers code over a
 * process's first ~100 iterations (mlp-pytorch here: ~17 ms an iteration over the first 25, ~10.5 ms from the
 * 75th), so the first case timed would otherwise pay for it, and a run of thousands of training steps does not.
 * Runs `iterations` untimed iterations of mlp-tf1, the cheapest case, whose ops every architecture's step shares.
 *
 * @param iterations how many (0: none).
 * @returns the milliseconds it took.
 */
export async function warmEngine(iterations: number): Promise<number> {
  if (iterations === 0) return 0;
  const t0 = performance.now();
  const c = benchCases("mlp-tf1")[0]!;
  await measureIteration(c, await loadTrainingImages("mnist", c.pixelRange), { warmup: iterations - 1, repeats: 1 });
  return performance.now() - t0;
}
