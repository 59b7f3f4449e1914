/**
 * Internal: the control block shared by the main thread and the GEMM's
 * second thread (lib/kernels/_gemm_threads.ts, lib/kernels/gemm_worker.ts).
 * @module
 */

/** Slots of the shared Int32Array control block. */
export const CTRL = {
  /** Job number, written by the main thread (−1: stop). */
  seq: 0,
  /** Number of the last job finished, written by the worker. */
  done: 1,
  /** 0: that job ran; 1: it threw. */
  status: 2,
  /** First of the 15 gemm() arguments (the 13th, alpha, is read as a float). */
  params: 4,
} as const;

/** Bytes of the control block. */
export const CONTROL_BYTES = 4 * (CTRL.params + 16);

/** What the worker gets once, at start. */
export interface WorkerSetup {
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  bytes: Uint8Array<ArrayBuffer>;
}
