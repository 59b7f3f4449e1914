/**
 * Test helpers: run the same computation on the `cpu` and `wasm` backends
 * and compare.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmKernels } from "../lib/kernels/register_wasm_kernels.ts";

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomData(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Set up both backends once and register the harness kernels on wasm. */
export async function setUpBackends(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.setBackend("wasm");
  registerWasmKernels();
}

/** Run `fn` on `backend`, read its outputs back and free them. */
export async function runOn(
  backend: "cpu" | "wasm",
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds();
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const data = await Promise.all(
    list.map((t) => t.data() as Promise<Float32Array>),
  );
  tf.dispose(list);
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(`${backend}: ${after - before} tensors leaked`);
  }
  // Kernel-internal intermediates never reach the engine: count the
  // backend's own buffers too.
  const dataAfter = tf.backend().numDataIds();
  if (dataAfter !== dataBefore) {
    throw new Error(
      `${backend}: ${dataAfter - dataBefore} backend buffers leaked`,
    );
  }
  return data;
}

/** max |a − b| / max(max |b|, 1e-6). */
export function relError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  }
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

/** Run `fn` on cpu and wasm; return the worst relative error over outputs. */
export async function compareBackends(
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<number> {
  const want = await runOn("cpu", fn);
  const got = await runOn("wasm", fn);
  let worst = 0;
  want.forEach((w, i) => {
    const g = got[i];
    if (!g) {
      throw new Error(
        `wasm returned ${got.length} outputs, cpu ${want.length}`,
      );
    }
    worst = Math.max(worst, relError(g, w));
  });
  return worst;
}
