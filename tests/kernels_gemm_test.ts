import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { assert, assertEquals, assertGreater, assertLess, assertRejects } from "@std/assert";
import { compareBackends, randomData, setUpBackends } from "./_kernel_parity.ts";
import { simdFor } from "../lib/kernels/_simd_module.ts";
import { gemmThread, WaitClock } from "../lib/kernels/_gemm_threads.ts";
import { useGemmThreads } from "../lib/kernels/register_wasm_kernels.ts";
import { setNativeBlas } from "../lib/kernels/native_blas.ts";

await setUpBackends();

// Edge tiles (m % 6, n % 8), one and several K blocks (K > 512), tiny products.
const shapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [5, 7, 3],
  [6, 8, 8],
  [13, 17, 29],
  [97, 1030, 45],
  [200, 600, 17],
];
const flags: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

function operands(m: number, k: number, n: number, tA: boolean, tB: boolean, seed: number) {
  return {
    a: tf.tensor2d(randomData(m * k, seed), tA ? [k, m] : [m, k]),
    b: tf.tensor2d(randomData(k * n, seed + 1), tB ? [n, k] : [k, n]),
  };
}

Deno.test("the GEMM module runs on this wasm backend", async () => {
  await tf.setBackend("wasm");
  assert(simdFor(tf.backend() as BackendWasm) !== null);
});

Deno.test("the module measures this core's SIMD multiply-add peak as a finite positive rate", async () => {
  await tf.setBackend("wasm");
  const peak = simdFor(tf.backend() as BackendWasm)!.maddPeakGflops();
  // How high is the benchmarks' business (`deno task bench` prints it); a loaded CI core may be slow.
  assert(Number.isFinite(peak) && peak > 0, `peak ${peak} GFLOP/s`);
});

Deno.test("GEMM BatchMatMul matches cpu for every transpose, edge tiles and K blocks", async () => {
  for (const [i, [m, k, n]] of shapes.entries()) {
    for (const [tA, tB] of flags) {
      const err = await compareBackends(() => {
        const { a, b } = operands(m, k, n, tA, tB, 10 * i);
        return tf.matMul(a, b, tA, tB);
      });
      assertLess(err, 1e-5, `${m}x${k}x${n} tA=${tA} tB=${tB}: rel error ${err}`);
    }
  }
});

Deno.test("GEMM _FusedMatMul matches cpu with bias and each activation", async () => {
  const acts = ["linear", "relu", "relu6", "leakyrelu"] as const;
  for (const [i, [m, k, n]] of shapes.slice(1, 5).entries()) {
    for (const [j, activation] of acts.entries()) {
      const [tA, tB] = flags[(i + j) % 4]!;
      const err = await compareBackends(() => {
        const { a, b } = operands(m, k, n, tA, tB, 20 * i);
        const bias = tf.tensor1d(randomData(n, 20 * i + 5)).mul(4);
        return tf.fused.matMul({ a, b, transposeA: tA, transposeB: tB, bias, activation, leakyreluAlpha: 0.1 });
      });
      assertLess(err, 1e-5, `${m}x${k}x${n} ${activation} tA=${tA} tB=${tB}: rel error ${err}`);
    }
  }
});

Deno.test("GEMM BatchMatMul matches cpu over batch dimensions, broadcast included", async () => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[3, 5, 7], [3, 7, 4], false, false],
    [[3, 7, 5], [3, 4, 7], true, true],
    [[1, 5, 7], [3, 7, 4], false, false],
    [[2, 2, 5, 7], [7, 9], false, false],
    [[5, 6], [2, 3, 5, 4], true, false],
  ];
  for (const [i, [sa, sb, tA, tB]] of cases.entries()) {
    const err = await compareBackends(() =>
      tf.matMul(
        tf.tensor(randomData(sa.reduce((p, d) => p * d), 3 * i + 1), sa),
        tf.tensor(randomData(sb.reduce((p, d) => p * d), 3 * i + 2), sb),
        tA,
        tB,
      )
    );
    assertLess(err, 1e-5, `${sa} x ${sb}: rel error ${err}`);
  }
});

Deno.test("dense layer gradients through the GEMM match cpu", async () => {
  const xv = randomData(40 * 30, 7);
  const wv = randomData(30 * 20, 8);
  const bv = randomData(20, 9);
  const err = await compareBackends(() => {
    const g = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.leakyRelu(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b }), 0.2).square().sum()
    );
    return g([tf.tensor2d(xv, [40, 30]), tf.tensor2d(wv, [30, 20]), tf.tensor1d(bv)]);
  });
  assertLess(err, 1e-5, `rel error ${err}`);
});

Deno.test("wasm Identity shares the buffer and frees it with the last reference", async () => {
  await tf.setBackend("wasm");
  const before = tf.backend().numDataIds();
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.clone(x);
  assertEquals(tf.backend().numDataIds(), before + 1);
  x.dispose();
  assertEquals(Array.from(await y.data()), [1, 2, 3]);
  y.dispose();
  assertEquals(tf.backend().numDataIds(), before);
});

Deno.test("wasm Cast to a tensor's own type shares the buffer; to another type it converts", async () => {
  await tf.setBackend("wasm");
  const before = tf.backend().numDataIds();
  const x = tf.tensor1d([1.5, -2.25, 3]);
  const same = tf.cast(x, "float32");
  assertEquals(tf.backend().numDataIds(), before + 1);
  const other = tf.cast(x, "int32");
  assertEquals(tf.backend().numDataIds(), before + 2);
  x.dispose();
  assertEquals(Array.from(await same.data()), [1.5, -2.25, 3]);
  assertEquals(Array.from(await other.data()), [1, -2, 3]);
  tf.dispose([same, other]);
  assertEquals(tf.backend().numDataIds(), before);
});

Deno.test("both GEMM builds (relaxed SIMD and SIMD128) match a float64 product", async () => {
  const { KERNELS_RELAXED_SIMD, KERNELS_SIMD } = await import("../lib/kernels/simd/_simd_wasm.ts");
  const [m, k, n] = [13, 600, 29];
  const memory = new WebAssembly.Memory({ initial: 64 });
  const heap = new Float32Array(memory.buffer);
  const [aAt, bAt, cAt, workAt] = [1024, 1024 + m * k, 1024 + m * k + k * n, 1024 + m * k + k * n + m * n + 4];
  heap.set(randomData(m * k, 41), aAt); // A stored transposed: k×m
  heap.set(randomData(k * n, 42), bAt); // B stored as k×n
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += heap[aAt + p * m + i]! * heap[bAt + p * n + j]!;
      want[i * n + j] = s;
    }
  }
  const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const checked: string[] = [];
  for (const [name, code] of [["relaxed SIMD", KERNELS_RELAXED_SIMD], ["SIMD128", KERNELS_SIMD]] as const) {
    // SIMD128 runs everywhere Deno does; relaxed SIMD where V8 has it (Deno 2 does).
    if (!WebAssembly.validate(bytes(code))) continue;
    checked.push(name);
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes(code)), { env: { memory } });
    const gemm = exports["gemm"] as (...args: number[]) => void;
    gemm(aAt * 4, 1, m, bAt * 4, n, 1, cAt * 4, m, n, k, 0, 0, 0, 0, workAt * 4);
    // Then with accumulate: c += A·B, so c holds twice the product.
    const once = heap.slice(cAt, cAt + m * n);
    gemm(aAt * 4, 1, m, bAt * 4, n, 1, cAt * 4, m, n, k, 0, 0, 0, 1, workAt * 4);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < m * n; i++) {
      diff = Math.max(diff, Math.abs(once[i]! - want[i]!), Math.abs(heap[cAt + i]! - 2 * want[i]!) / 2);
      scale = Math.max(scale, Math.abs(want[i]!));
    }
    assertLess(diff / scale, 1e-5);
  }
  assertEquals(checked, ["relaxed SIMD", "SIMD128"], "a build this Deno's V8 should accept was rejected");
});

Deno.test("SIMD LeakyRelu, Sqrt, Greater and Select match cpu, odd sizes included", async () => {
  for (const [i, n] of [1, 7, 16, 33, 1000].entries()) {
    const xv = randomData(n, 50 + i);
    const yv = randomData(n, 60 + i);
    const err = await compareBackends(() => {
      const x = tf.tensor1d(xv);
      const y = tf.tensor1d(yv);
      return [
        tf.leakyRelu(x, 0.3),
        tf.sqrt(tf.abs(x)),
        tf.greater(x, 0).cast("float32"),
        tf.greater(x, y).cast("float32"),
        tf.greater(x.reshape([1, n]), tf.scalar(0.25)).cast("float32"),
        tf.where(tf.greater(x, y), x, y.mul(2)),
      ];
    });
    assertLess(err, 1e-6, `n=${n}: rel error ${err}`);
  }
});

Deno.test("leakyRelu gradients through the SIMD kernels match cpu", async () => {
  const xv = randomData(12 * 9, 70);
  const err = await compareBackends(() =>
    tf.grad((x: tf.Tensor) => tf.leakyRelu(x, 0.2).mul(x).sum())(tf.tensor2d(xv, [12, 9]))
  );
  assertLess(err, 1e-6, `rel error ${err}`);
});

Deno.test("setSimdKernels() switches builds and falls back to stock when off", async () => {
  const { setSimdKernels } = await import("../lib/kernels/register_wasm_kernels.ts");
  const av = randomData(37 * 53, 80);
  const bv = randomData(53 * 19, 81);
  try {
    for (const choice of ["simd", "off"] as const) {
      setSimdKernels(choice);
      await tf.setBackend("wasm");
      const kernels = simdFor(tf.backend() as BackendWasm);
      assertEquals(kernels?.variant ?? "off", choice);
      const err = await compareBackends(() =>
        tf.matMul(tf.tensor2d(av, [53, 37]), tf.tensor2d(bv, [53, 19]), true, false).add(tf.leakyRelu(1, 0.2))
      );
      assertLess(err, 1e-5, `${choice}: rel error ${err}`);
    }
  } finally {
    setSimdKernels("relaxed");
  }
});

Deno.test("a second GEMM thread gives bit-identical products and convolutions, and hands it the big ones", async () => {
  // The SIMD GEMM's own second thread: with OpenBLAS loaded, useGemmThreads sets OpenBLAS's threads instead
  // (tests/kernels_native_blas_test.ts).
  setNativeBlas("off");
  try {
    await secondThreadIsBitIdentical();
  } finally {
    setNativeBlas("auto");
  }
});

async function secondThreadIsBitIdentical(): Promise<void> {
  await tf.setBackend("wasm");
  const a = tf.tensor2d(randomData(160 * 300, 71), [160, 300]);
  const b = tf.tensor2d(randomData(300 * 200, 72), [300, 200]);
  const bias = tf.tensor1d(randomData(200, 73));
  // 16·28·28 patch rows of 5·5·32: several row blocks, so the filter gradient accumulates across blocks.
  const x = tf.tensor4d(randomData(16 * 28 * 28 * 32, 74), [16, 28, 28, 32]);
  const w = tf.tensor4d(randomData(5 * 5 * 32 * 64, 75), [5, 5, 32, 64]);
  const compute = () =>
    tf.tidy(() => {
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same").square().sum();
      return [
        tf.matMul(a, b),
        tf.matMul(b, a, true, true),
        tf.fused.matMul({ a, b, bias, activation: "leakyrelu", leakyreluAlpha: 0.2 }),
        ...tf.grads(f)([x, w]),
      ].map((t) => t.dataSync());
    });
  const one = compute();
  const tensors = tf.memory().numTensors;
  assertEquals(await useGemmThreads(2), 2);
  try {
    const jobs = gemmThread()!.jobs;
    const two = compute();
    assertGreater(gemmThread()!.jobs, jobs, "the big products went to the second thread");
    two.forEach((t, i) => assertEquals(t, one[i], `output ${i} differs`));
    assertEquals(tf.memory().numTensors, tensors);
  } finally {
    assertEquals(await useGemmThreads(1), 1);
  }
  assertEquals(gemmThread(), null);
  await assertRejects(() => useGemmThreads(3), RangeError, "expected 1 or 2");
  tf.dispose([a, b, bias, x, w]);
}

Deno.test("the second thread's stall guard does not count a suspended process's pause as silence", () => {
  const clock = new WaitClock(0);
  for (let t = 1000; t <= 10_000; t += 1000) clock.look(t);
  assertEquals(clock.look(10_000), 10_000, "one-second waits count in full");
  // SIGSTOP for five minutes, then SIGCONT: the next look sees the clock jump.
  assertEquals(clock.look(310_000), 12_000, "the pause counts at most one step");
  for (let t = 311_000; t <= 430_000; t += 1000) clock.look(t);
  assertGreater(clock.look(430_000), 120_000, "a worker silent for two minutes of waiting still trips the guard");
});
