/**
 * The exhaustive check of the SIMD `Tanh` (lib/kernels/simd/elementwise.c; minutes: run it by hand after changing
 * the kernel): every float32 against tfjs-wasm's stock kernel (musl's `tanhf`), bit for bit (NaN counts as NaN), in
 * both builds of the module and two layouts. In `runs`, neighbouring floats fill each vector of four, so a vector
 * inside one region of `tanhf` takes that region's short path. In `mixed`, each float goes in the first lane beside
 * 0.05, 1 and −0.3, three of `tanhf`'s branches, as a generator's pre-activations in training mix them: the
 * mixed-lane path for 2⁻²⁶ ≤ |x| < 7.75, the general path elsewhere. `--stride N` checks every Nth float only.
 *
 *     deno run --allow-read tests/exhaustive/tanh.ts [--stride N]
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { strideFlag } from "./_stride.ts";
import { BUILDS, type Counts, exitWithVerdict, inBuild } from "./_builds.ts";
import { setUpBackends } from "../_kernel_parity.ts";
import { captureStock } from "../../lib/kernels/_wasm_ops.ts";

/** How the floats under test are laid out in vectors. */
export type Layout = "runs" | "mixed";

/** The other three lanes of a `mixed` vector. */
const MIXED_LANES = [0.05, 1, -0.3] as const;

/** tanh on `bits` through the harness kernel and through the stock one, as raw bits. */
export function bothTanh(bits: Uint32Array): { ours: Uint32Array; stock: Uint32Array } {
  const backend = tf.backend() as BackendWasm;
  const x = tf.tensor1d(new Float32Array(bits.buffer.slice(0)));
  const ours = tf.tanh(x);
  const stockOut = captureStock("Tanh")({ inputs: { x }, backend, attrs: {} }) as tf.TensorInfo;
  const result = {
    ours: new Uint32Array(ours.dataSync().slice().buffer),
    stock: new Uint32Array((backend.readSync(stockOut.dataId) as Float32Array).slice().buffer),
  };
  backend.disposeData(stockOut.dataId);
  tf.dispose([x, ours]);
  return result;
}

/** Where the two disagree (NaN and NaN agree), described. */
export function mismatches(bits: Uint32Array, ours: Uint32Array, stock: Uint32Array): string[] {
  const bad: string[] = [];
  const [a, b] = [new Float32Array(ours.buffer), new Float32Array(stock.buffer)];
  for (let i = 0; i < bits.length; i++) {
    if (ours[i] !== stock[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
      bad.push(`0x${bits[i]!.toString(16)}: ours ${a[i]}, stock ${b[i]}`);
    }
  }
  return bad;
}

/** `floats` as the bits of the vectors `layout` puts them in. */
export function laidOut(floats: Uint32Array, layout: Layout): Uint32Array {
  if (layout === "runs") return floats;
  const lanes = new Float32Array(4 * floats.length);
  const bits = new Uint32Array(lanes.buffer);
  for (let i = 0; i < floats.length; i++) {
    lanes.set(MIXED_LANES, 4 * i + 1);
    bits[4 * i] = floats[i]!;
  }
  return bits;
}

/** Check the floats with bits 0, stride, 2·stride, … below 2³² (all of them when `stride` is 1). */
export function checkTanh(build: typeof BUILDS[number], layout: Layout, stride: number): Promise<Counts> {
  return inBuild(build, () => {
    const counts: Counts = { floats: 0, mismatches: 0, examples: [] };
    const chunk = 1 << 20;
    const floats = new Uint32Array(chunk);
    for (let first = 0; first < 2 ** 32; first += chunk * stride) {
      const n = Math.min(chunk, Math.ceil((2 ** 32 - first) / stride));
      for (let k = 0; k < n; k++) floats[k] = first + k * stride;
      const bits = laidOut(floats.subarray(0, n), layout);
      const { ours, stock } = bothTanh(bits);
      const bad = mismatches(bits, ours, stock);
      counts.floats += n;
      counts.mismatches += bad.length;
      counts.examples.push(...bad.slice(0, 5 - counts.examples.length));
    }
    return counts;
  });
}

if (import.meta.main) {
  const stride = strideFlag(Deno.args);
  await setUpBackends();
  const started = performance.now();
  let bad = 0;
  for (const build of BUILDS) {
    for (const layout of ["runs", "mixed"] as const) {
      const c = await checkTanh(build, layout, stride);
      bad += c.mismatches;
      console.log(`${build} build, ${layout}: ${c.floats} floats, ${c.mismatches} mismatches`);
      for (const e of c.examples) console.log(`  ${e}`);
    }
  }
  exitWithVerdict(started, bad);
}
