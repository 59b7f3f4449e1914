/**
 * The GEMM's second thread: a worker running the harness's SIMD module on a
 * shared memory. It waits on the control words with `Atomics.wait`, runs
 * the GEMM the main thread described there, and reports back through them
 * (lib/kernels/_gemm_threads.ts has the protocol).
 * @module
 */
/// <reference lib="deno.worker" />
import { CTRL, type WorkerSetup } from "./_gemm_threads_protocol.ts";

self.onmessage = (e: MessageEvent<WorkerSetup>) => {
  const { memory, control, bytes } = e.data;
  const ctrl = new Int32Array(control);
  const params = new Float32Array(control);
  let gemm: (...args: number[]) => void;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    gemm = instance.exports["gemm"] as (...args: number[]) => void;
  } catch (err) {
    self.postMessage({ ready: false, error: (err as Error).message });
    return;
  }
  self.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.seq, seen);
    const seq = Atomics.load(ctrl, CTRL.seq);
    if (seq < 0) break;
    seen = seq;
    let status = 0;
    try {
      const p = CTRL.params;
      gemm(
        ctrl[p]!,
        ctrl[p + 1]!,
        ctrl[p + 2]!,
        ctrl[p + 3]!,
        ctrl[p + 4]!,
        ctrl[p + 5]!,
        ctrl[p + 6]!,
        ctrl[p + 7]!,
        ctrl[p + 8]!,
        ctrl[p + 9]!,
        ctrl[p + 10]!,
        ctrl[p + 11]!,
        params[p + 12]!,
        ctrl[p + 13]!,
        ctrl[p + 14]!,
      );
    } catch {
      status = 1;
    }
    Atomics.store(ctrl, CTRL.status, status);
    Atomics.store(ctrl, CTRL.done, seq);
    Atomics.notify(ctrl, CTRL.done);
  }
  self.close();
};
