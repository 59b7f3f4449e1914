/**
 * The native GEMM (OpenBLAS's cblas_sgemm through Deno's FFI, lib/kernels/native_blas.ts): its products and
 * convolutions against the cpu backend, its determinism across runs and thread counts, and the fallback to the
 * wasm SIMD GEMM when it is switched off or the FFI permission is missing.
 *
 * Permissions: the test task's (--allow-ffi scoped to the library's path, --allow-read, --allow-run=deno).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertGreater, assertLess, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { compareBackends, randomData, relError, setUpBackends } from "./_kernel_parity.ts";
import { runDeno } from "./_files.ts";
import { gemmForRun, type GemmInfo, gemmInfo } from "../lib/kernels/gemm_info.ts";
import {
  nativeBlas,
  nativeBlasStatus,
  nativeSgemmCalls,
  OPENBLAS_INSTALL,
  OPENBLAS_PATH,
  OPENBLAS_PATHS,
  openBlasProblem,
  setNativeBlas,
} from "../lib/kernels/native_blas.ts";
import { useGemmThreads } from "../lib/kernels/register_wasm_kernels.ts";

await setUpBackends();

const libraryPath = [OPENBLAS_PATH].find((p) => {
  if (p === undefined) return false;
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});
/** Without the library (apt-get install libopenblas0-pthread) only the fallback tests run. */
const ignore = libraryPath === undefined;

// Edge sizes (m or k or n of 1), several OpenBLAS K blocks (k > 512), and big enough to be threaded.
const shapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 300, 17],
  [300, 1, 9],
  [5, 7, 3],
  [13, 17, 29],
  [97, 1030, 45],
  [256, 784, 300],
];
const flags: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true], [true, true]];

function operands(m: number, k: number, n: number, tA: boolean, tB: boolean, seed: number) {
  return {
    a: tf.tensor2d(randomData(m * k, seed), tA ? [k, m] : [m, k]),
    b: tf.tensor2d(randomData(k * n, seed + 1), tB ? [n, k] : [k, n]),
  };
}

/** Products, fused products, conv gradients (several patch-row blocks) and leading-axis sums, read back. */
function workload(): Float32Array[] {
  return tf.tidy(() => {
    const a = tf.tensor2d(randomData(160 * 300, 71), [160, 300]);
    const b = tf.tensor2d(randomData(300 * 200, 72), [300, 200]);
    const bias = tf.tensor1d(randomData(200, 73));
    const x = tf.tensor4d(randomData(16 * 28 * 28 * 32, 74), [16, 28, 28, 32]);
    const w = tf.tensor4d(randomData(5 * 5 * 32 * 64, 75), [5, 5, 32, 64]);
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same").square().sum();
    return [
      tf.matMul(a, b),
      tf.matMul(b, a, true, true),
      tf.fused.matMul({ a, b, bias, activation: "leakyrelu", leakyreluAlpha: 0.2 }),
      ...tf.grads(f)([x, w]),
      tf.sum(x, [0, 1, 2]),
      tf.mean(x, [0, 1]),
    ].map((t) => t.dataSync() as Float32Array);
  });
}

Deno.test({
  name: "OpenBLAS loads under an FFI permission scoped to its path and says which build runs",
  ignore,
  fn: async () => {
    await tf.setBackend("wasm");
    assert(nativeBlas(), "the test task grants --allow-ffi for the library: it should load");
    const info = nativeBlas()!;
    assertEquals(info.path, libraryPath);
    assert(/^OpenBLAS \d+\.\d+/.test(info.config), info.config);
    assertEquals(info.threads, 1, "one thread until a run asks for more");
    const gemm = gemmInfo()!;
    assertEquals([gemm.library, gemm.version, gemm.threads], ["openblas", info.config, 1]);
  },
});

Deno.test({
  name: "the activation after an OpenBLAS product keeps the product's bits: relu, relu6 and leaky relu exactly",
  ignore,
  fn: async () => {
    await tf.setBackend("wasm");
    // A [m, 1] column times [[1]]: each product is the value itself, so the activation sees -7, -0.5, 0, 5.5, 6.5 …
    const values = [-7, -0.5, 0, 0.25, 5.5, 6, 6.5, 1e30, -1e-40, NaN, Infinity, -Infinity, 3, -3, 7, 0.1, -0.1];
    const before = nativeSgemmCalls();
    const run = (activation: "linear" | "relu" | "relu6" | "leakyrelu") =>
      tf.tidy(() =>
        tf.fused.matMul({
          a: tf.tensor2d(values, [values.length, 1]),
          b: tf.tensor2d([1], [1, 1]),
          activation,
          leakyreluAlpha: 0.3,
        }).dataSync() as Float32Array
      );
    const product = run("linear");
    const f32 = Math.fround;
    const expected = {
      relu: (x: number) => x < 0 ? 0 : x,
      relu6: (x: number) => {
        const v = x < 0 ? 0 : x;
        return v > 6 ? 6 : v;
      },
      leakyrelu: (x: number) => x < 0 ? f32(x * f32(0.3)) : x,
    };
    for (const [activation, f] of Object.entries(expected) as Array<[keyof typeof expected, (x: number) => number]>) {
      const got = run(activation);
      assertEquals(Array.from(got), Array.from(product, f), activation);
    }
    assertGreater(nativeSgemmCalls() - before, 3, "the products ran on OpenBLAS");
  },
});

Deno.test({
  name: "OpenBLAS BatchMatMul and _FusedMatMul match cpu for every transpose, bias and activation",
  ignore,
  fn: async () => {
    const before = nativeSgemmCalls();
    for (const [i, [m, k, n]] of shapes.entries()) {
      for (const [tA, tB] of flags) {
        const err = await compareBackends(() => {
          const { a, b } = operands(m, k, n, tA, tB, 10 * i);
          return tf.matMul(a, b, tA, tB);
        });
        assertLess(err, 1e-5, `${m}x${k}x${n} tA=${tA} tB=${tB}: rel error ${err}`);
      }
      for (const [j, activation] of (["linear", "relu", "relu6", "leakyrelu"] as const).entries()) {
        const [tA, tB] = flags[(i + j) % 4]!;
        const err = await compareBackends(() => {
          const { a, b } = operands(m, k, n, tA, tB, 20 * i);
          const bias = tf.tensor1d(randomData(n, 20 * i + 5)).mul(4);
          return tf.fused.matMul({ a, b, bias, activation, transposeA: tA, transposeB: tB, leakyreluAlpha: 0.3 });
        });
        assertLess(err, 1e-5, `${m}x${k}x${n} ${activation}: rel error ${err}`);
      }
    }
    const err = await compareBackends(() =>
      tf.matMul(tf.tensor3d(randomData(3 * 7 * 11, 1), [3, 7, 11]), tf.tensor2d(randomData(11 * 5, 2), [11, 5]))
    );
    assertLess(err, 1e-5, `batched: rel error ${err}`);
    assertGreater(nativeSgemmCalls() - before, shapes.length * 8, "the products ran on OpenBLAS");
  },
});

Deno.test({
  name: "OpenBLAS convolutions (forward, fused, both gradients, transposed) and leading-axis sums match cpu",
  ignore,
  fn: async () => {
    const before = nativeSgemmCalls();
    for (const [s, pad] of [[1, "same"], [2, "same"], [2, "valid"]] as const) {
      const err = await compareBackends(() => {
        const x = tf.tensor4d(randomData(4 * 9 * 10 * 6, 5), [4, 9, 10, 6]);
        const w = tf.tensor4d(randomData(5 * 5 * 6 * 7, 6), [5, 5, 6, 7]);
        const bias = tf.tensor1d(randomData(7, 7));
        const f = (x: tf.Tensor, w: tf.Tensor) =>
          tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad).mul(tf.linspace(-1, 1, 7)).sum();
        const up = (x: tf.Tensor, w: tf.Tensor) =>
          tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [4, 18, 20, 6], 2, "same").square().sum();
        const small = tf.tensor4d(randomData(4 * 9 * 10 * 7, 8), [4, 9, 10, 7]);
        return [
          tf.fused.conv2d({ x, filter: w, strides: s, pad, bias, activation: "leakyrelu", leakyreluAlpha: 0.2 }),
          ...tf.grads(f)([x, w]),
          ...tf.grads(up)([small, w]),
        ];
      });
      assertLess(err, 1e-4, `stride ${s} ${pad}: rel error ${err}`);
    }
    // Several blocks of patch rows: the filter gradient accumulates into dW across OpenBLAS calls; then the
    // leading-axis Sum and Mean (cblas_sgemv).
    const want = await (async () => {
      await tf.setBackend("cpu");
      const out = workload().slice(3);
      await tf.setBackend("wasm");
      return out;
    })();
    workload().slice(3).forEach((got, i) => assertLess(relError(got, want[i]!), 1e-4, `output ${i + 3}`));
    assertGreater(nativeSgemmCalls() - before, 10, "the convolutions ran on OpenBLAS");
  },
});

Deno.test({
  name: "OpenBLAS gives the same bits run after run on 1 thread and on 2; 1 and 2 agree within tolerance",
  ignore,
  fn: async () => {
    // Measured with OpenBLAS 0.3.21 (Cooperlake kernels): 1 and 2 threads differ in the last bits of the big
    // products (the rows each thread takes reach other edge kernels), so a run's thread count is recorded and a
    // resumed run keeps it (gemmForRun in lib/kernels/gemm_info.ts).
    await tf.setBackend("wasm");
    const tensors = tf.memory().numTensors;
    const one = workload();
    workload().forEach((t, i) => assertEquals(t, one[i], `output ${i} differs between two runs on 1 thread`));
    assertEquals(await useGemmThreads(2), 2);
    try {
      assertEquals(gemmInfo()!.threads, 2);
      const two = workload();
      workload().forEach((t, i) => assertEquals(t, two[i], `output ${i} differs between two runs on 2 threads`));
      two.forEach((t, i) => assertLess(relError(t, one[i]!), 1e-5, `output ${i}: 1 vs 2 threads`));
    } finally {
      assertEquals(await useGemmThreads(1), 1);
    }
    assertEquals(nativeBlas()!.threads, 1);
    assertEquals(tf.memory().numTensors, tensors);
  },
});

Deno.test("with the native GEMM off, the wasm SIMD GEMM runs and agrees within tolerance", async () => {
  await tf.setBackend("wasm");
  const native = workload();
  setNativeBlas("off");
  try {
    const calls = nativeSgemmCalls();
    const gemm = gemmInfo()!;
    assertEquals(gemm.library, "wasm-simd");
    assertStringIncludes(gemm.fallback ?? "", "switched off");
    const wasm = workload();
    assertEquals(nativeSgemmCalls(), calls, "nothing ran on OpenBLAS");
    wasm.forEach((t, i) => assertLess(relError(t, native[i]!), 1e-4, `output ${i}`));
  } finally {
    setNativeBlas("auto");
  }
});

Deno.test("without the FFI permission a run uses the wasm SIMD GEMM, says how to allow it, and agrees", async () => {
  const probe = async (ffi: string[]) => {
    const r = await runDeno(["run", ...ffi, "--allow-read", "tests/_gemm_probe.ts"]);
    assertEquals(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as {
      gemm: { library: string; fallback?: string };
      values: number[];
    };
  };
  const without = await probe([]);
  assertEquals(without.gemm.library, "wasm-simd");
  assertStringIncludes(without.gemm.fallback ?? "", `--allow-ffi=${OPENBLAS_PATH}`);
  for (const [arch, path] of Object.entries(OPENBLAS_PATHS)) {
    if (arch !== Deno.build.arch) assert(!without.gemm.fallback?.includes(path), without.gemm.fallback);
  }
  if (ignore) return;
  const granted = await probe([`--allow-ffi=${libraryPath}`]);
  assertEquals(granted.gemm.library, "openblas");
  assertLess(relError(Float32Array.from(granted.values), Float32Array.from(without.values)), 1e-5);
});

/** A script in `dir` that prints what {@linkcode openBlasProblem} says of `path` under its own permissions. */
async function problemProbe(dir: string, path: string): Promise<string> {
  const script = join(dir, "problem_probe.ts");
  const module = JSON.stringify(import.meta.resolve("../lib/kernels/native_blas.ts"));
  await Deno.writeTextFile(
    script,
    `import { openBlasProblem } from ${module};\nconsole.log(openBlasProblem(${JSON.stringify(path)}));\n`,
  );
  return script;
}

Deno.test("only this CPU's OpenBLAS path is considered: the fallback never names another architecture's", () => {
  assertEquals(OPENBLAS_PATH, OPENBLAS_PATHS[Deno.build.arch]);
  const others = Object.entries(OPENBLAS_PATHS).filter(([arch]) => arch !== Deno.build.arch);
  assert(others.length > 0, "another architecture's path is known");
  for (const [, path] of others) {
    // Whatever the reason this CPU's library is not used, another CPU's path is not what the user is told about.
    assert(!nativeBlasStatus().note.includes(path), nativeBlasStatus().note);
  }
});

Deno.test("OpenBLAS absent says it is not installed, with its path and the apt-get line to install it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = join(dir, "openblas-pthread", "libopenblas.so.0");
    assertEquals(openBlasProblem(missing), `OpenBLAS is not installed (${missing}): \`${OPENBLAS_INSTALL}\``);
    // The same when the process may load it but not read the folder (deno task bench reads the project only).
    const r = await runDeno(["run", `--allow-ffi=${missing}`, "--allow-read=.", await problemProbe(dir, missing)]);
    assertEquals(r.stdout.trim(), `OpenBLAS is not installed (${missing}): \`${OPENBLAS_INSTALL}\``, r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("OpenBLAS installed but not permitted, or not loadable, is said so, naming the path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const broken = join(dir, "libopenblas.so.0");
    await Deno.writeTextFile(broken, "not a shared library\n");
    assertEquals(openBlasProblem(broken), `no FFI permission for ${broken} (run with --allow-ffi=${broken})`);
    const r = await runDeno(["run", `--allow-ffi=${broken}`, "--allow-read", await problemProbe(dir, broken)]);
    const line = r.stdout.trim();
    assert(line.startsWith(`OpenBLAS at ${broken} cannot be loaded: `), `${line}\n${r.stderr}`);
    assertStringIncludes(line, "file too short");
    assert(!line.includes("not installed"), line);
    if (!ignore) assertEquals(openBlasProblem(libraryPath), null, "the library the test task permits loads");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "batch-norm gradients with their sums on OpenBLAS (big tensors) match cpu",
  ignore,
  fn: async () => {
    const v = randomData(32 * 14 * 14 * 64, 43);
    const before = nativeSgemmCalls();
    const err = await compareBackends(() => {
      const model = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [14, 14, 64] })] });
      const x = tf.tensor4d(v, [32, 14, 14, 64]);
      const f = (x: tf.Tensor) => model.apply(x, { training: true }) as tf.Tensor;
      const { value, grads } = tf.variableGrads(() => f(x).mul(x).sum() as tf.Scalar);
      const xGrad = tf.grad((x: tf.Tensor) => f(x).square().sum())(x);
      const out = [value, xGrad, ...Object.values(grads)];
      model.dispose();
      return out;
    });
    assertLess(err, 1e-3, `rel error ${err}`);
    assertGreater(nativeSgemmCalls() - before, 0, "the sums ran on OpenBLAS");
  },
});

Deno.test("a resumed run trained on the wasm SIMD GEMM is told the exact deno run line without --allow-ffi", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const runDir = join(dir, "quickstart", "lr-0.001_r0");
    await Deno.mkdir(runDir, { recursive: true });
    await Deno.writeFile(join(runDir, "checkpoint.bin"), new Uint8Array(4));
    const wasm: GemmInfo = { library: "wasm-simd", version: "relaxed SIMD build", threads: 1 };
    await Deno.writeTextFile(join(runDir, "config.json"), JSON.stringify({ backend: { name: "wasm", gemm: wasm } }));
    const openblas: GemmInfo = { library: "openblas", version: "OpenBLAS 0.3.21", threads: 1 };
    const sweep: string = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))).tasks.sweep
      .command;
    const withoutFfi = sweep.split(" ").filter((a) => !a.startsWith("--allow-ffi")).join(" ");
    assert(withoutFfi !== sweep && withoutFfi.startsWith("deno run ") && withoutFfi.endsWith(" tasks/sweep.ts"));

    const unnamed = (await gemmForRun(runDir, openblas, 1, false)).warning ?? "";
    assertStringIncludes(unnamed, `${withoutFfi} <experiment.ts>`);
    assert(!unnamed.includes("run without the --allow-ffi"), unnamed);
    await Deno.writeTextFile(
      join(dir, "quickstart", "experiment.json"),
      JSON.stringify({ name: "quickstart", source: "experiments/quickstart.ts", grid: {}, runs: [] }),
    );
    const named = (await gemmForRun(runDir, openblas, 1, false)).warning ?? "";
    assertStringIncludes(named, `${withoutFfi} experiments/quickstart.ts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gemmForRun keeps a resumed run's recorded GEMM threads and warns when it cannot repeat its GEMM", async () => {
  const dir = await Deno.makeTempDir();
  const openblas = (threads: number): GemmInfo => ({ library: "openblas", version: "OpenBLAS 0.3.21", threads });
  const wasm: GemmInfo = { library: "wasm-simd", version: "relaxed SIMD build", threads: 1 };
  const record = (gemm?: GemmInfo) =>
    Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ backend: { name: "wasm", ...(gemm ? { gemm } : {}) } }));
  try {
    assertEquals(await gemmForRun(dir, openblas(1), 2, true), { threads: 2 }, "a new run gets the preferred threads");
    await record(openblas(1));
    assertEquals(await gemmForRun(dir, openblas(1), 2, true), { threads: 2 }, "no checkpoint: nothing to resume");
    await Deno.writeFile(`${dir}/checkpoint.bin`, new Uint8Array(4));
    assertEquals(await gemmForRun(dir, openblas(1), 2, true), { threads: 1 }, "resumes on the threads it trained with");
    await record(openblas(2));
    const sideBySide = await gemmForRun(dir, openblas(1), 1, false);
    assertEquals(sideBySide.threads, 1);
    assertStringIncludes(sideBySide.warning ?? "", "--jobs 1 --threads 2");
    await record(); // a config.json from before the GEMM was recorded: the wasm SIMD GEMM trained it
    const older = await gemmForRun(dir, openblas(1), 1, false);
    assertStringIncludes(older.warning ?? "", "without the FFI permission");
    assertEquals(await gemmForRun(dir, wasm, 2, true), { threads: 2 }, "the SIMD GEMM's bits do not depend on threads");
    await record(openblas(1));
    assertStringIncludes((await gemmForRun(dir, wasm, 1, false)).warning ?? "", "grant --allow-ffi");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
