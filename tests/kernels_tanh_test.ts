import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { assertEquals, assertLess } from "@std/assert";
import { compareBackends, randomData, setUpBackends } from "./_kernel_parity.ts";
import { simdFor } from "../lib/kernels/_simd_module.ts";
import { setSimdKernels } from "../lib/kernels/register_wasm_kernels.ts";
import { bothTanh, checkTanh, laidOut, mismatches } from "./exhaustive/tanh.ts";

await setUpBackends();

/** Bit patterns where musl's tanhf or expm1f changes branch (and its neighbours), and the special values. */
function edgeBits(): number[] {
  const thresholds = [
    0x00000000, // 0
    0x00000001, // the smallest subnormal
    0x00800000, // the smallest normal: below it tanhf returns x
    0x32800000, // expm1f's argument 2x reaches 2^-25, below which it returns the argument
    0x3e317218, // 2x reaches 0.5 ln2, where expm1f starts reducing its argument
    0x3e82c578, // log(5/3)/2
    0x3f051592, // 2x reaches 1.5 ln2, where expm1f's k leaves ±1
    0x3f0c9f54, // log(3)/2
    0x40f98000, // 7.8: 2x/ln2 + 0.5 reaches 23, where expm1f's last step changes form
    0x41200000, // 10: tanhf returns ±1 above it
    0x4115b844, // 2x reaches 27 ln2, expm1f's overflow filter
    0x7f7fffff, // the largest float
    0x7f800000, // infinity
    0x7fc00000, // NaN
  ];
  const out: number[] = [];
  for (const t of thresholds) {
    for (let d = -3; d <= 3; d++) {
      const b = t + d;
      if (b >= 0 && b <= 0x7fffffff) out.push(b, (b | 0x80000000) >>> 0);
    }
  }
  return out;
}

Deno.test("SIMD Tanh returns the stock kernel's bits at every branch edge and on a stride through all floats", async () => {
  const stride = 4099; // odd and prime: every exponent and many mantissas, ~1M floats
  const bits = new Uint32Array([...edgeBits(), ...Array.from({ length: 2 ** 32 / stride }, (_, i) => i * stride)]);
  try {
    for (const build of ["relaxed", "simd"] as const) {
      setSimdKernels(build);
      await tf.setBackend("wasm");
      assertEquals(simdFor(tf.backend() as BackendWasm)?.variant, build, "the SIMD module did not load");
      const { ours, stock } = bothTanh(bits);
      assertEquals(mismatches(bits, ours, stock).slice(0, 10), [], `${build} build`);
    }
  } finally {
    setSimdKernels("relaxed");
  }
});

Deno.test("SIMD Tanh returns the stock kernel's bits on whole vectors inside each of its fast paths", async () => {
  // Runs of neighbouring floats fill all four lanes from one region, which is when a fast path (below 0.17,
  // below 0.52, saturated or moderate pixels) runs instead of the general one; each run crosses a branch edge.
  const edges = [0x00800000, 0x32800000, 0x3e317218, 0x3e82c578, 0x3f051592, 0x3f0c9f54, 0x40f80000, 0x41200000];
  const runs = [...edges.map((e) => e - 4096), 0x7f7ff000, 0x7f800000 - 8, 0x7fc00000 - 8];
  const bits = new Uint32Array(runs.flatMap((start) => {
    const run = Array.from({ length: 8192 }, (_, i) => (start + i) >>> 0);
    return [...run, ...run.map((b) => (b | 0x80000000) >>> 0)];
  }));
  await tf.setBackend("wasm");
  const { ours, stock } = bothTanh(bits);
  assertEquals(mismatches(bits, ours, stock).slice(0, 10), []);
});

Deno.test("SIMD Tanh returns the stock kernel's bits on vectors whose lanes fall in different branches", async () => {
  // A generator's pixels in training mix branches within a vector: each float under test goes in the first lane,
  // beside three of tanhf's branches, which is when the mixed-lane path runs for floats of 2^-26 ≤ |x| < 7.75 and
  // the general path for the rest. Runs cross each branch edge; a stride covers the range.
  const edges = [0x00800000, 0x32800000, 0x3e317218, 0x3e82c578, 0x3f051592, 0x3f0c9f54, 0x40f80000, 0x41200000];
  const runs = edges.flatMap((e) => Array.from({ length: 4096 }, (_, i) => e - 2048 + i));
  const stride = Array.from({ length: (0x40f80000 - 0x32800000) / 251 }, (_, i) => 0x32800000 + 251 * i);
  const tested = [...runs, ...stride, 0x7f800000, 0x7fc00000].flatMap((b) => [b, (b | 0x80000000) >>> 0]);
  const bits = laidOut(new Uint32Array(tested), "mixed");
  try {
    for (const build of ["relaxed", "simd"] as const) {
      setSimdKernels(build);
      await tf.setBackend("wasm");
      const { ours, stock } = bothTanh(bits);
      assertEquals(mismatches(bits, ours, stock).slice(0, 10), [], `${build} build`);
    }
  } finally {
    setSimdKernels("relaxed");
  }
});

Deno.test("the exhaustive Tanh check finds no mismatch on a stride through all floats, either build or layout", async () => {
  for (const build of ["relaxed", "simd"] as const) {
    for (const layout of ["runs", "mixed"] as const) {
      const c = await checkTanh(build, layout, 65537);
      assertEquals(
        [c.floats, c.mismatches, c.examples],
        [Math.ceil(2 ** 32 / 65537), 0, []],
        `${build} build, ${layout}`,
      );
    }
  }
});

Deno.test("SIMD Tanh matches the stock kernel on every length's last 1–3 floats", async () => {
  await tf.setBackend("wasm");
  for (let n = 1; n <= 9; n++) {
    const values = randomData(n, 90 + n).map((v) => v * 6);
    const bits = new Uint32Array(values.buffer);
    const { ours, stock } = bothTanh(bits);
    assertEquals(mismatches(bits, ours, stock), [], `n=${n}`);
  }
});

Deno.test("tanh gradients through the SIMD kernel match cpu", async () => {
  const xv = randomData(100 * 13, 95).map((v) => v * 4);
  const err = await compareBackends(() =>
    tf.grad((x: tf.Tensor) => tf.tanh(x).mul(x).sum())(tf.tensor2d(xv, [100, 13]))
  );
  assertLess(err, 1e-6, `rel error ${err}`);
});
