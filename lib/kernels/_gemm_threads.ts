/**
 * A second thread for the harness's GEMM, so that one training run can use
 * both cores of a 2-core machine (a sweep with `--jobs 2` already does, one
 * run per core, and leaves this off).
 *
 * tfjs-wasm's heap is not shared memory, so a worker cannot read it. The
 * worker (gemm_worker.ts) runs the same SIMD module on a shared
 * `WebAssembly.Memory` of its own instead: for a product big enough to
 * split, the main thread copies the operand rows the worker needs there,
 * wakes it with `Atomics.notify`, computes the first rows of C itself, in
 * place, waits, and copies the worker's rows of C back. Each element of C
 * is summed by one thread in the same order as on one thread, so results
 * are bit-identical with and without the second thread.
 * @module
 */
import { decodeBase64 } from "./_base64.ts";
import { CONTROL_BYTES, CTRL, type WorkerSetup } from "./_gemm_threads_protocol.ts";
import { KERNELS_RELAXED_SIMD_SHARED, KERNELS_SIMD_SHARED } from "./simd/_simd_wasm.ts";

/** Products under this many FLOPs (~0.5 ms of work) stay on one thread: the hand-off and copies cost more. */
export const MIN_SPLIT_FLOPS = 16e6;

/** One GEMM call: operands as heap byte offsets with element strides, as SimdKernels.gemm takes them. */
export interface GemmCall {
  a: { ptr: number; rowStride: number; colStride: number };
  b: { ptr: number; rowStride: number; colStride: number };
  c: number;
  m: number;
  n: number;
  k: number;
  bias: number;
  activation: number;
  alpha: number;
  accumulate: boolean;
}

const PAGE = 65536;
/** A half-product takes seconds at most; a worker silent this long is gone. */
const STALL_MS = 120_000;

/**
 * Time spent waiting for the worker, as a stall guard should count it: each look counts the time since the last
 * one, but at most `maxStepMs`, so a process suspended and resumed (SIGSTOP/SIGCONT, Ctrl-Z then `fg`, a
 * machine's sleep) does not count its pause as the worker's silence. Waits are 1 s apart, so a real stall still
 * adds up.
 */
export class WaitClock {
  #last: number;
  #waited = 0;
  constructor(now: number, readonly maxStepMs = 2000) {
    this.#last = now;
  }
  /** Milliseconds waited so far, looking at the clock at `now`. */
  look(now: number): number {
    this.#waited += Math.min(Math.max(now - this.#last, 0), this.maxStepMs);
    this.#last = now;
    return this.#waited;
  }
}
const align4 = (floats: number) => (floats + 3) & ~3; // 16-byte boundaries

/** The worker thread and its shared memory. */
export class GemmThread {
  /** Which module build the worker runs; only kernels of the same build hand it work. */
  readonly variant: "relaxed" | "simd";
  #worker: Worker;
  #memory: WebAssembly.Memory;
  #ctrl: Int32Array;
  #params: Float32Array;
  #seq = 0;
  #workspaceFloats: (n: number) => number;

  private constructor(
    worker: Worker,
    memory: WebAssembly.Memory,
    control: SharedArrayBuffer,
    variant: "relaxed" | "simd",
    workspaceFloats: (n: number) => number,
  ) {
    this.#worker = worker;
    this.#memory = memory;
    this.#ctrl = new Int32Array(control);
    this.#params = new Float32Array(control);
    this.variant = variant;
    this.#workspaceFloats = workspaceFloats;
  }

  /**
   * Start the worker with the shared-memory build of `variant`; null when
   * this engine has no shared memory, no workers or cannot run that build.
   */
  static async start(variant: "relaxed" | "simd"): Promise<GemmThread | null> {
    const bytes = decodeBase64(variant === "relaxed" ? KERNELS_RELAXED_SIMD_SHARED : KERNELS_SIMD_SHARED);
    let memory: WebAssembly.Memory;
    let workspaceFloats: (n: number) => number;
    try {
      if (!WebAssembly.validate(bytes)) return null;
      memory = new WebAssembly.Memory({ initial: 256, maximum: 16384, shared: true });
      const probe = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      workspaceFloats = probe.exports["workspace_floats"] as (n: number) => number;
    } catch {
      return null;
    }
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const worker = new Worker(new URL("./gemm_worker.ts", import.meta.url), { type: "module" });
    const ready = await new Promise<boolean>((resolve) => {
      worker.onmessage = (e: MessageEvent<{ ready: boolean }>) => resolve(e.data.ready);
      worker.onerror = (e) => {
        e.preventDefault();
        resolve(false);
      };
      worker.postMessage({ memory, control, bytes } satisfies WorkerSetup);
    });
    if (!ready) {
      worker.terminate();
      return null;
    }
    return new GemmThread(worker, memory, control, variant, workspaceFloats);
  }

  /** Products handed to the worker so far. */
  get jobs(): number {
    return this.#seq;
  }

  /** Whether `call` is worth splitting. */
  worthSplitting(call: GemmCall): boolean {
    return call.m >= 12 && 2 * call.m * call.n * call.k >= MIN_SPLIT_FLOPS;
  }

  /**
   * Compute rows `[m0, m)` of C on the worker while `own(m0)` computes rows
   * `[0, m0)` on this thread. `heap()` returns the tfjs heap's current buffer
   * (it can move when `own` allocates).
   * @throws {Error} if the worker's GEMM failed.
   */
  split(call: GemmCall, heap: () => ArrayBufferLike, own: (rows: number) => void): void {
    const { a, b, m, n, k } = call;
    const m0 = Math.min(m - 1, Math.max(1, Math.round(m / 2 / 6) * 6));
    const rows = m - m0;
    // Spans (in floats) of the worker's rows of A and of all of B, and where they go in the shared memory.
    const aFrom = a.ptr / 4 + m0 * a.rowStride;
    const aLen = (rows - 1) * a.rowStride + (k - 1) * a.colStride + 1;
    const bFrom = b.ptr / 4;
    const bLen = (k - 1) * b.rowStride + (n - 1) * b.colStride + 1;
    const at = 4; // float 0..3 stay unused: a null pointer never points at data
    const bt = at + align4(aLen);
    const biasAt = bt + align4(bLen);
    const cAt = biasAt + align4(n);
    const workAt = cAt + align4(rows * n);
    const end = workAt + this.#workspaceFloats(n) + 4;
    const have = this.#memory.buffer.byteLength;
    if (end * 4 > have) this.#memory.grow(Math.ceil((end * 4 - have) / PAGE));

    const src = new Float32Array(heap());
    const dst = new Float32Array(this.#memory.buffer);
    dst.set(src.subarray(aFrom, aFrom + aLen), at);
    dst.set(src.subarray(bFrom, bFrom + bLen), bt);
    if (call.bias) dst.set(src.subarray(call.bias / 4, call.bias / 4 + n), biasAt);
    if (call.accumulate) dst.set(src.subarray(call.c / 4 + m0 * n, call.c / 4 + m * n), cAt);

    const p = CTRL.params;
    const ints = [
      at * 4,
      a.rowStride,
      a.colStride,
      bt * 4,
      b.rowStride,
      b.colStride,
      cAt * 4,
      rows,
      n,
      k,
      call.bias ? biasAt * 4 : 0,
      call.activation,
    ];
    ints.forEach((v, i) => (this.#ctrl[p + i] = v));
    this.#params[p + 12] = call.alpha;
    this.#ctrl[p + 13] = call.accumulate ? 1 : 0;
    this.#ctrl[p + 14] = ((workAt * 4) + 15) & ~15;
    const seq = ++this.#seq;
    Atomics.store(this.#ctrl, CTRL.seq, seq);
    Atomics.notify(this.#ctrl, CTRL.seq);

    own(m0);

    const clock = new WaitClock(performance.now());
    for (let done = Atomics.load(this.#ctrl, CTRL.done); done !== seq; done = Atomics.load(this.#ctrl, CTRL.done)) {
      if (clock.look(performance.now()) > STALL_MS) {
        throw new Error(`the GEMM's second thread stopped answering (a ${m}×${k} · ${k}×${n} product)`);
      }
      Atomics.wait(this.#ctrl, CTRL.done, done, 1000);
    }
    if (Atomics.load(this.#ctrl, CTRL.status) !== 0) {
      throw new Error(`the GEMM's second thread failed on a ${m}×${k} · ${k}×${n} product`);
    }
    new Float32Array(heap()).set(
      new Float32Array(this.#memory.buffer, cAt * 4, rows * n),
      call.c / 4 + m0 * n,
    );
  }

  /** Stop the worker. */
  stop(): void {
    Atomics.store(this.#ctrl, CTRL.seq, -1);
    Atomics.notify(this.#ctrl, CTRL.seq);
    this.#worker.terminate();
  }
}

let current: GemmThread | null = null;

/** The running second thread, or null. */
export function gemmThread(): GemmThread | null {
  return current;
}

/**
 * Use `threads` threads (1 or 2) for the harness's GEMM from now on; returns
 * how many it will use (1 where shared memory or workers are missing).
 * @param threads 1 (the default: one run per core) or 2.
 * @param variant the module build the kernels run (`SimdKernels.variant`).
 * @throws {RangeError} for a count other than 1 or 2.
 */
export async function setGemmThreads(threads: number, variant: "relaxed" | "simd" = "relaxed"): Promise<number> {
  if (threads !== 1 && threads !== 2) {
    throw new RangeError(`GEMM threads: expected 1 or 2, got ${threads}`);
  }
  if (threads === 1 || current?.variant !== variant) {
    current?.stop();
    current = null;
  }
  if (threads === 2 && !current) current = await GemmThread.start(variant);
  return current ? 2 : 1;
}
