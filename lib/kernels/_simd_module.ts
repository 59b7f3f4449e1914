/**
 * The harness's own SIMD kernels (lib/kernels/simd/*.c, compiled to one
 * small wasm module) running on the tfjs wasm backend's memory.
 *
 * The module imports the backend's `WebAssembly.Memory`, so it reads inputs
 * and writes outputs in place, by heap offset: no copies. It has no stack
 * and no static data, so it writes nowhere but the pointers it is given.
 * The GEMM's packing workspace is allocated with the backend's `_malloc`
 * and kept (grown when needed).
 * @module
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { decodeBase64 } from "./_base64.ts";
import { gemmThread } from "./_gemm_threads.ts";
import { nativeBlasReady, nativeSgemm } from "./native_blas.ts";
import { KERNELS_RELAXED_SIMD, KERNELS_SIMD } from "./simd/_simd_wasm.ts";

/** Activations the GEMM applies itself, numbered as tfjs-backend-wasm's FusableActivation. */
export const GEMM_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, leakyrelu: 4 } as const;

/** One GEMM operand: element (i, j) is at byte `ptr + 4·(i·rowStride + j·colStride)`. */
export interface Operand {
  ptr: number;
  rowStride: number;
  colStride: number;
}

interface KernelExports {
  gemm(
    a: number,
    sai: number,
    sak: number,
    b: number,
    sbk: number,
    sbn: number,
    c: number,
    m: number,
    n: number,
    k: number,
    bias: number,
    act: number,
    alpha: number,
    accumulate: number,
    work: number,
  ): void;
  workspace_floats(n: number): number;
  im2col(...args: ConvCallArgs): void;
  col2im_add(...args: ConvCallArgs): void;
  zero_f32(dst: number, n: number): void;
  madd_peak(rounds: number, x: number): number;
  activate_f32(c: number, n: number, act: number, alpha: number): void;
  leaky_relu(x: number, out: number, n: number, alpha: number): void;
  leaky_relu_grad(x: number, dy: number, out: number, n: number, alpha: number): void;
  relu_grad(x: number, dy: number, out: number, n: number): void;
  tanh_grad(y: number, dy: number, out: number, n: number): void;
  neg_abs_f32(x: number, e: number, n: number): void;
  bce_logits(x: number, f: number, y: number, n: number, t: number): void;
  bce_logits_grad(x: number, s: number, dy: number, dx: number, n: number, t: number): void;
  sqrt_f32(x: number, out: number, n: number): void;
  tanh_f32(x: number, out: number, n: number): void;
  column_sums_f64(x: number, rows: number, cols: number, dst: number, scale: number): void;
  greater_f32(a: number, b: number, bStep: number, out: number, n: number): void;
  select_f32(cond: number, t: number, e: number, out: number, n: number): void;
  adam_f32(
    w: number,
    m: number,
    v: number,
    g: number,
    wOut: number,
    mOut: number,
    vOut: number,
    n: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    om1: number,
    om2: number,
    eps: number,
    negLr: number,
  ): void;
}

/** x (or dp), h, w, c, oh, ow, fh, fw, sh, sw, pt, pl, row0, rows, patches (or dx): 15 numbers. */
type ConvCallArgs = number[];

/**
 * The geometry of one NHWC convolution `x [n, h, w, c] (*) filter [fh, fw,
 * c, co] → y [n, oh, ow, co]` with strides `sh, sw` and top/left pads `pt,
 * pl` (bottom/right pads follow from the sizes).
 */
export interface ConvGeometry {
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
}

interface EmscriptenModule {
  asm?: { memory?: unknown };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** The kernels bound to one backend's memory. Pointers are byte offsets into that memory. */
export class SimdKernels {
  /** Which build runs: `relaxed` (fused multiply-add where the CPU has it) or `simd`. */
  readonly variant: "relaxed" | "simd";
  /** The module's element-wise functions, called with heap byte offsets. */
  readonly elementwise: Pick<
    KernelExports,
    | "leaky_relu"
    | "leaky_relu_grad"
    | "relu_grad"
    | "sqrt_f32"
    | "tanh_f32"
    | "tanh_grad"
    | "neg_abs_f32"
    | "bce_logits"
    | "bce_logits_grad"
    | "greater_f32"
    | "select_f32"
    | "adam_f32"
    | "column_sums_f64"
  >;
  #exports: KernelExports;
  #module: EmscriptenModule;
  #memory: WebAssembly.Memory;
  #work = { ptr: 0, floats: 0 };
  #scratch = { ptr: 0, floats: 0 };

  constructor(
    exports: KernelExports,
    module: EmscriptenModule,
    memory: WebAssembly.Memory,
    variant: "relaxed" | "simd",
  ) {
    this.#exports = exports;
    this.#module = module;
    this.#memory = memory;
    this.variant = variant;
    this.elementwise = exports;
  }

  /**
   * `c[m×n] = act(A·B + bias)`, with `A` m×k and `B` k×n read through their
   * strides, `c` densely packed row-major, `bias` a pointer to n floats or 0.
   * With `accumulate`, `c += A·B` instead (no bias, linear activation).
   * Runs on OpenBLAS (lib/kernels/native_blas.ts) when it is loaded, with
   * the bias and activation applied after the product; otherwise on the SIMD
   * module, where big products run on two threads when `setGemmThreads(2)`
   * started one.
   * @throws {RangeError} when the workspace cannot be allocated.
   */
  gemm(
    a: Operand,
    b: Operand,
    c: number,
    m: number,
    n: number,
    k: number,
    bias: number,
    activation: number,
    alpha: number,
    accumulate = false,
  ): void {
    if (this.#native(a, b, c, m, n, k, bias, activation, alpha, accumulate)) return;
    const work = this.#buffer(this.#work, this.#exports.workspace_floats(n), "GEMM workspace");
    const own = (rows: number) =>
      this.#exports.gemm(
        a.ptr,
        a.rowStride,
        a.colStride,
        b.ptr,
        b.rowStride,
        b.colStride,
        c,
        rows,
        n,
        k,
        bias,
        activation,
        alpha,
        accumulate ? 1 : 0,
        work,
      );
    const thread = gemmThread();
    if (thread?.variant === this.variant) {
      const call = { a, b, c, m, n, k, bias, activation, alpha, accumulate };
      if (thread.worthSplitting(call)) return thread.split(call, () => this.#memory.buffer, own);
    }
    own(m);
  }

  /**
   * Rows `[row0, row0 + rows)` of the patch matrix of `x` (heap offset) under
   * geometry `g` into `out`: `rows × fh·fw·c` floats, row-major.
   */
  im2col(x: number, g: ConvGeometry, row0: number, rows: number, out: number): void {
    this.#exports.im2col(x, g.h, g.w, g.c, g.oh, g.ow, g.fh, g.fw, g.sh, g.sw, g.pt, g.pl, row0, rows, out);
  }

  /** The adjoint of {@linkcode im2col}: add patch-matrix gradient rows `dp` into `dx`. */
  col2imAdd(dp: number, g: ConvGeometry, row0: number, rows: number, dx: number): void {
    this.#exports.col2im_add(dp, g.h, g.w, g.c, g.oh, g.ow, g.fh, g.fw, g.sh, g.sw, g.pt, g.pl, row0, rows, dx);
  }

  /** Set `n` floats at heap offset `ptr` to zero. */
  zero(ptr: number, n: number): void {
    this.#exports.zero_f32(ptr, n);
  }

  /**
   * A scratch buffer of at least `floats` floats (16-byte aligned heap
   * offset), kept between calls and grown when needed; its contents are
   * the caller's until the next call.
   * @throws {RangeError} when it cannot be allocated.
   */
  scratch(floats: number): number {
    return this.#buffer(this.#scratch, floats, "convolution scratch buffer");
  }

  /**
   * This core's SIMD multiply-add peak in GFLOP/s, as this build reaches it:
   * the best of three timed runs of a register-only loop of independent
   * f32x4 multiply-adds (~0.1 s). The ceiling for the GEMM.
   */
  maddPeakGflops(): number {
    const rounds = 4_000_000;
    this.#exports.madd_peak(rounds / 10, 0.999); // compile and warm up
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      this.#exports.madd_peak(rounds, 0.999);
      best = Math.min(best, performance.now() - t0);
    }
    return (rounds * 12 * 4 * 2) / (best * 1e6);
  }

  /** Free the buffers (the kernels stay usable: they are allocated again when needed). */
  dispose(): void {
    for (const buffer of [this.#work, this.#scratch]) {
      if (buffer.ptr) this.#module._free(buffer.ptr);
      buffer.ptr = 0;
      buffer.floats = 0;
    }
  }

  #native(
    a: Operand,
    b: Operand,
    c: number,
    m: number,
    n: number,
    k: number,
    bias: number,
    activation: number,
    alpha: number,
    accumulate: boolean,
  ): boolean {
    if (!nativeBlasReady()) return false;
    const heap = new Float32Array(this.#memory.buffer);
    const c0 = c / 4;
    const op = (o: Operand) => ({ offset: o.ptr / 4, rowStride: o.rowStride, colStride: o.colStride });
    if (bias && !accumulate) {
      // C starts as the bias in every row, then C += A·B.
      const row = heap.subarray(bias / 4, bias / 4 + n);
      for (let i = 0; i < m; i++) heap.set(row, c0 + i * n);
    }
    if (!nativeSgemm(heap, op(a), op(b), c0, m, n, k, accumulate || bias ? 1 : 0)) {
      return false; // nothing written but the bias rows, which the SIMD GEMM overwrites
    }
    if (accumulate) return true;
    if (activation !== GEMM_ACTIVATIONS.linear) this.#exports.activate_f32(c, m * n, activation, alpha);
    return true;
  }

  #buffer(buffer: { ptr: number; floats: number }, floats: number, what: string): number {
    if (floats > buffer.floats) {
      if (buffer.ptr) this.#module._free(buffer.ptr);
      buffer.floats = 0;
      // 16 bytes of slack so the buffer can start on a 16-byte boundary.
      buffer.ptr = this.#module._malloc(floats * 4 + 16);
      if (!buffer.ptr) throw new RangeError(`Cannot allocate a ${floats * 4}-byte ${what} on the wasm heap`);
      buffer.floats = floats;
    }
    return (buffer.ptr + 15) & ~15;
  }
}

const bound = new Map<BackendWasm, SimdKernels | null>();

/** Which builds {@linkcode simdFor} may use. */
export type SimdChoice = "relaxed" | "simd" | "off";
let choice: SimdChoice = "relaxed";

/**
 * Choose the kernels' build: `relaxed` (default; the fastest, with fused
 * multiply-add where the CPU has it, so the last bits of a product can
 * differ between CPUs with and without FMA), `simd` (SIMD128 only: the same
 * bits on every CPU, ~1.5× slower matmuls) or `off` (the stock tfjs-wasm
 * matmul and element-wise kernels, for comparisons). Takes effect at the
 * next kernel call.
 * @param next the build to use from now on.
 */
export function setSimdKernels(next: SimdChoice): void {
  choice = next;
  for (const kernels of bound.values()) kernels?.dispose();
  bound.clear();
}

function instantiate(bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory): KernelExports | null {
  try {
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    return instance.exports as unknown as KernelExports;
  } catch {
    // A shared (threaded) memory or an engine without SIMD: the caller falls back.
    return null;
  }
}

/**
 * The kernels bound to `backend`'s memory, or null when they cannot run
 * there (no SIMD, a shared memory, or a backend build that hides its
 * memory, or `setSimdKernels("off")`); callers then use the stock kernels.
 * Instantiated once per backend.
 */
export function simdFor(backend: BackendWasm): SimdKernels | null {
  const known = bound.get(backend);
  if (known !== undefined) return known;
  const module = backend.wasm as unknown as EmscriptenModule;
  const memory = module.asm?.memory;
  let kernels: SimdKernels | null = null;
  const builds = [["relaxed", KERNELS_RELAXED_SIMD], ["simd", KERNELS_SIMD]] as const;
  if (choice !== "off" && memory instanceof WebAssembly.Memory && typeof module._malloc === "function") {
    for (const [variant, code] of builds.filter(([v]) => choice === "relaxed" || v === "simd")) {
      const exports = instantiate(decodeBase64(code), memory);
      if (exports) {
        kernels = new SimdKernels(exports, module, memory, variant);
        break;
      }
    }
  }
  bound.set(backend, kernels);
  return kernels;
}
