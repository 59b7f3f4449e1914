/**
 * The harness against PyTorch in the same minutes: blocks of iterations alternating between the two, one warm
 * `bench/reference/torch_gan.py --serve` process per thread count, and the ratio of each pair of blocks.
 *
 * Timing torch for every architecture first and the harness after puts minutes between the two numbers of a ratio;
 * on a shared host the load changes in between (single ratios of one architecture ranged 1.16–1.82× over three such
 * runs, 2026-12-05). Alternating short blocks puts both sides of each ratio under the same load, and the median over
 * pairs, with its range, says how sure the ratio is.
 * @module
 */
import { dirname, fromFileUrl, join } from "@std/path";
import { type BenchCase, measureIteration, median } from "./iteration.ts";
import type { TrainingImages } from "../data/training_images.ts";
import { type ImageShape, MNIST_SHAPE } from "./images.ts";

/** The python with Debian's torch. */
export const TORCH_PYTHON = "/usr/bin/python3";

/**
 * glibc malloc settings the torch reference runs with: its best case. With glibc's defaults torch returns the
 * memory of its large tensors to the system as they are freed, so every iteration faults it in afresh; measured
 * 2026-12-05 on a 2-core EPYC VM, one thread: mlp-keras 98–99 → 60–67 ms, dcgan-tf at batch 64 564 → 479 ms. (The
 * harness's tensors live in the wasm heap, which is never returned.)
 */
export const TORCH_MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(32 << 20), MALLOC_TRIM_THRESHOLD_: String(64 << 20) };

/** The line printed when the torch reference fails to run: torch missing (and how to install it), or its error. */
export function torchFailed(stderr: string): string {
  const missing = /No module named 'torch'/.test(stderr);
  const why = missing ? `torch is not installed for ${TORCH_PYTHON} (apt-get install python3-torch)` : stderr.trim();
  return `torch reference: ${why}; skipped`;
}

const SCRIPT = join(dirname(fromFileUrl(import.meta.url)), "..", "..", "bench", "reference", "torch_gan.py");

/** A running `torch_gan.py --serve`: blocks of torch iterations on request. */
export class TorchPeer {
  readonly #child: Deno.ChildProcess;
  readonly #lines: AsyncIterator<string>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  /** torch's version, as the process reported it. */
  readonly torch: string;

  private constructor(child: Deno.ChildProcess, lines: AsyncIterator<string>, torch: string) {
    this.#child = child;
    this.#lines = lines;
    this.#stdin = child.stdin.getWriter();
    this.torch = torch;
  }

  /**
   * Start one on the CPU with `threads` threads (torch's, and OpenBLAS's unless `blasThreads` says otherwise), each
   * case warmed `warmup` iterations on first use; null, with the reason printed, when /usr/bin/python3 or its torch
   * is missing.
   */
  static async start(threads: number, warmup: number, blasThreads = threads): Promise<TorchPeer | null> {
    const args = [SCRIPT, "--device", "cpu", "--serve", "--threads", String(threads), "--warmup", String(warmup)];
    args.push("--blas-threads", String(blasThreads));
    const env = { ...TORCH_MALLOC_ENV, OPENBLAS_NUM_THREADS: String(blasThreads) };
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(TORCH_PYTHON, { args, env, stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable)) throw e;
      console.log(`torch reference: cannot run ${TORCH_PYTHON} (${(e as Error).message}); skipped`);
      return null;
    }
    const lines = readLines(child.stdout);
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      if (line.value.startsWith("{")) return new TorchPeer(child, lines, JSON.parse(line.value).torch);
    }
    const stderr = await new Response(child.stderr).text();
    await child.status;
    console.log(torchFailed(stderr));
    return null;
  }

  /** `n` timed torch iterations of `arch` at `batch` on images of `image` (MNIST's unless given), in ms. */
  async times(arch: string, batch: number, n: number, image: readonly number[] = MNIST_SHAPE): Promise<number[]> {
    await this.#stdin.write(new TextEncoder().encode(`${arch} ${batch} ${n} ${image.join("x")}\n`));
    const line = await this.#lines.next();
    if (line.done) {
      throw new Error(
        `torch reference: ${SCRIPT} --serve ended while timing ${arch} ${image.join("x")} batch ${batch}`,
      );
    }
    return (JSON.parse(line.value) as { times: number[] }).times;
  }

  /** End the process (its stderr is dropped). */
  async close(): Promise<void> {
    await this.#stdin.close();
    while (!(await this.#lines.next()).done); // to the end of its output
    await this.#child.stderr.cancel();
    await this.#child.status;
  }
}

/** The lines of a byte stream. */
async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

/** One case's pairs: the medians of its blocks and of the blocks' ratios. */
export interface PairedRatio {
  arch: string;
  /** `[height, width, channels]` of the images. */
  imageShape: ImageShape;
  batchSize: number;
  threads: number;
  /** Median over the pairs of each harness block's median, ms per iteration. */
  harnessMs: number;
  /** The same for torch. */
  torchMs: number;
  /** Median of the pairs' harness/torch ratios, and their range. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  pairs: number;
  /** Timed iterations per block. */
  repeats: number;
}

/**
 * Time `c` in `pairs` pairs of blocks of `repeats` iterations, harness then torch and torch then harness in turn
 * (each harness block after `warmup` untimed iterations, as `measureIteration` runs them; the harness's GEMM threads
 * set by the caller).
 */
export async function pairWithTorch(
  peer: TorchPeer,
  c: BenchCase,
  data: TrainingImages,
  options: { pairs: number; repeats: number; warmup: number; threads: number },
): Promise<PairedRatio> {
  const harness = async () =>
    (await measureIteration(c, data, { warmup: options.warmup, repeats: options.repeats })).msPerIteration;
  const torch = async () => median(await peer.times(c.arch, c.batchSize, options.repeats, c.imageShape));
  await torch(); // builds and warms torch's case before the first pair
  const blocks: Array<{ h: number; t: number }> = [];
  for (let p = 0; p < options.pairs; p++) {
    if (p % 2 === 0) {
      const h = await harness();
      blocks.push({ h, t: await torch() });
    } else {
      const t = await torch();
      blocks.push({ h: await harness(), t });
    }
  }
  const ratios = blocks.map((b) => b.h / b.t);
  return {
    arch: c.arch,
    imageShape: [...c.imageShape],
    batchSize: c.batchSize,
    threads: options.threads,
    harnessMs: median(blocks.map((b) => b.h)),
    torchMs: median(blocks.map((b) => b.t)),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    pairs: options.pairs,
    repeats: options.repeats,
  };
}
