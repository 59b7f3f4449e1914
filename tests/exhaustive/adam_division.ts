/**
 * The exhaustive check of `HarnessAdam`'s divisions by 1 − βᵗ (lib/kernels/simd/elementwise.c; minutes: run it by
 * hand after changing the kernel): they are multiplications by the divisor's reciprocal in float64, claimed to give
 * the float32 quotient to the bit. For every float32 m and each divisor (1 − βᵗ for β of 0.5, 0.9 and 0.999 and
 * t ≤ 12, and a few others), the kernel's m/om1 against the float32 division, in both builds of the module
 * (NaN counts as NaN). The module's `adam_f32` is set up so that its new value is exactly that quotient: β₁ = 1 and a zero
 * gradient (m' = m + 0), v = 0 and ε = 1 (a denominator of 1), a learning rate of −1 and a value of −0.
 * `--stride N` checks every Nth float only.
 *
 *     deno run --allow-read tests/exhaustive/adam_division.ts [--stride N]
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { strideFlag } from "./_stride.ts";
import { BUILDS, type Counts, exitWithVerdict, inBuild } from "./_builds.ts";
import { setUpBackends } from "../_kernel_parity.ts";
import { simdFor } from "../../lib/kernels/_simd_module.ts";

const f32 = Math.fround;

/** The divisors checked: 1 − βᵗ as tfjs's Adam makes them (float32 products of β), and a few others. */
export function adamDivisors(): number[] {
  const divisors = new Set<number>([0.75, f32(0.3), f32(1 / 3), f32(Math.PI / 4), 1.5, f32(1e-7)]);
  for (const beta of [0.5, 0.9, 0.999]) {
    let acc = 1;
    for (let t = 1; t <= 12; t++) {
      acc = f32(acc * f32(beta));
      divisors.add(f32(1 - acc));
    }
  }
  return [...divisors];
}

/**
 * The module's `adam_f32` on buffers of `n` floats in the wasm heap, set up so that its new value is m/om1: write
 * the m's into `m`, call `quotients(om1)`, read `w`. Dispose it.
 */
export function quotientBuffers(n: number) {
  const backend = tf.backend() as BackendWasm;
  const simd = simdFor(backend);
  if (!simd) throw new Error("the SIMD module did not load");
  const tensors = {
    value: tf.fill([n], -0),
    m: tf.zeros([n]),
    zeros: tf.zeros([n]),
    w: tf.zeros([n]),
    other: tf.zeros([n]),
  };
  const view = (t: tf.Tensor) => backend.typedArrayFromHeap(t) as Float32Array;
  const at = Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => [name, backend.getMemoryOffset(t.dataId)]),
  ) as Record<keyof typeof tensors, number>;
  return {
    m: () => view(tensors.m),
    w: () => view(tensors.w),
    /** w = ((m·1 + 0·0) / om1) / (sqrt((0·0.5 + 0·0) / 1) + 1) · 1 + (−0) */
    quotients: (om1: number) =>
      simd.elementwise.adam_f32(
        at.value,
        at.m,
        at.zeros,
        at.zeros,
        at.w,
        at.other,
        at.other,
        n,
        1,
        0,
        0.5,
        0.5,
        om1,
        1,
        1,
        1,
      ),
    dispose: () => tf.dispose(Object.values(tensors)),
  };
}

/** Check the floats with bits 0, stride, 2·stride, … below 2³² against each divisor, in one build. */
export function checkAdamDivision(build: typeof BUILDS[number], divisors: number[], stride: number): Promise<Counts> {
  return inBuild(build, () => {
    const counts: Counts = { floats: 0, mismatches: 0, examples: [] };
    const chunk = 1 << 20;
    const buffers = quotientBuffers(chunk);
    try {
      for (let first = 0; first < 2 ** 32; first += chunk * stride) {
        const n = Math.min(chunk, Math.ceil((2 ** 32 - first) / stride));
        const m = buffers.m();
        const bits = new Uint32Array(m.buffer, m.byteOffset, n);
        for (let k = 0; k < n; k++) bits[k] = first + k * stride;
        for (const om1 of divisors) {
          buffers.quotients(om1);
          const got = buffers.w();
          for (let i = 0; i < n; i++) {
            const want = f32(f32(m[i]! + 0) / om1); // m' = m·1 + 0·0: −0 becomes +0
            if (Object.is(got[i], want) || (Number.isNaN(got[i]) && Number.isNaN(want))) continue;
            counts.mismatches++;
            if (counts.examples.length < 5) {
              counts.examples.push(`m 0x${bits[i]!.toString(16)} / ${om1}: kernel ${got[i]}, division ${want}`);
            }
          }
        }
        counts.floats += n;
      }
    } finally {
      buffers.dispose();
    }
    return counts;
  });
}

if (import.meta.main) {
  const stride = strideFlag(Deno.args);
  await setUpBackends();
  const started = performance.now();
  const divisors = adamDivisors();
  let bad = 0;
  for (const build of BUILDS) {
    const c = await checkAdamDivision(build, divisors, stride);
    bad += c.mismatches;
    console.log(`${build} build: ${c.floats} floats × ${divisors.length} divisors, ${c.mismatches} mismatches`);
    for (const e of c.examples) console.log(`  ${e}`);
  }
  exitWithVerdict(started, bad);
}
