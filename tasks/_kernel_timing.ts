/**
 * Time one DCGAN training iteration (D step + G step, Adam) on the wasm
 * backend, with the harness kernels ("after") or with the earlier baseline
 * ("before": per-tap Conv2DBackpropFilter + stock Conv2DBackpropInput), and
 * print a `tf.profile` breakdown by kernel.
 *
 *   deno run --allow-read tasks/_kernel_timing.ts --arch 000 --batch 64 --mode after
 *   deno run --allow-read tasks/_kernel_timing.ts --arch 004 --batch 128 --mode before
 *
 * Flags: --arch 000|004, --batch N, --mode after|before, --steps N (timed
 * iterations after one warm-up), --no-profile.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { parseArgs } from "@std/cli/parse-args";
import { registerWasmKernels } from "../lib/kernels/register_wasm_kernels.ts";
import { explicitTransposeMatMul } from "../lib/kernels/wasm_batch_matmul.ts";
import { captureStock, free, type Info, pad, reshape, run } from "../lib/kernels/_wasm_ops.ts";

const args = parseArgs(Deno.args, {
  string: ["arch", "batch", "mode", "steps"],
  boolean: ["profile"],
  default: {
    arch: "000",
    batch: "64",
    mode: "after",
    steps: "3",
    profile: true,
  },
});
const arch = String(args.arch);
const batch = Number(args.batch);
const mode = String(args.mode);
const steps = Number(args.steps);
if (!["000", "004"].includes(arch)) {
  throw new RangeError(`--arch must be 000 or 004: got ${arch}`);
}
if (!["after", "before"].includes(mode)) {
  throw new RangeError(`--mode must be after or before: got ${mode}`);
}

await tf.setBackend("wasm");
if (mode === "after") {
  registerWasmKernels();
} else {
  // Baseline from the platform notes: explicit-transpose BatchMatMul, a
  // per-tap Conv2DBackpropFilter (StridedSlice + MatMul per tap), stock
  // Conv2DBackpropInput.
  const stockMatMul = captureStock("BatchMatMul");
  captureStock("Conv2D");
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel(explicitTransposeMatMul("BatchMatMul", stockMatMul));
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: perTapBackpropFilter,
  });
}

function perTapBackpropFilter(
  { inputs, backend, attrs }: Parameters<tf.KernelFunc>[0],
): Info {
  const b = backend as BackendWasm;
  const x = inputs["x"] as Info;
  const dy = inputs["dy"] as Info;
  const a = attrs as unknown as {
    strides: number | [number, number];
    pad: "same" | "valid";
    filterShape: [number, number, number, number];
  };
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
  );
  const [n, , , ci] = x.shape as number[] as [number, number, number, number];
  const [, oh, ow, co] = dy.shape as number[] as [
    number,
    number,
    number,
    number,
  ];
  const { top, bottom, left, right } = info.padInfo;
  const xp = pad(b, x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  const dy2 = reshape(b, dy, [n * oh * ow, co]);
  const taps: Info[] = [];
  for (let i = 0; i < info.filterHeight; i++) {
    for (let j = 0; j < info.filterWidth; j++) {
      const s = run("StridedSlice", b, { x: xp }, {
        begin: [0, i, j, 0],
        end: [
          n,
          i + info.strideHeight * (oh - 1) + 1,
          j + info.strideWidth * (ow - 1) + 1,
          ci,
        ],
        strides: [1, info.strideHeight, info.strideWidth, 1],
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      });
      const s2 = reshape(b, s, [n * oh * ow, ci]);
      const m = run("BatchMatMul", b, { a: s2, b: dy2 }, {
        transposeA: true,
        transposeB: false,
      });
      taps.push(reshape(b, m, [1, ci * co]));
      free(b, s, s2, m);
    }
  }
  const all = run("Concat", b, taps as unknown as tf.NamedTensorInfoMap, {
    axis: 0,
  });
  free(b, xp, dy2, ...taps);
  const out = reshape(b, all, a.filterShape);
  free(b, all);
  return out;
}

function dcgan000(): { g: tf.LayersModel; d: tf.LayersModel } {
  const g = tf.sequential();
  g.add(
    tf.layers.dense({ inputShape: [100], units: 7 * 7 * 256, useBias: false }),
  );
  g.add(tf.layers.batchNormalization());
  g.add(tf.layers.leakyReLU());
  g.add(tf.layers.reshape({ targetShape: [7, 7, 256] }));
  for (const [filters, strides] of [[128, 1], [64, 2]] as const) {
    g.add(
      tf.layers.conv2dTranspose({
        filters,
        kernelSize: 5,
        strides,
        padding: "same",
        useBias: false,
      }),
    );
    g.add(tf.layers.batchNormalization());
    g.add(tf.layers.leakyReLU());
  }
  g.add(tf.layers.conv2dTranspose({
    filters: 1,
    kernelSize: 5,
    strides: 2,
    padding: "same",
    useBias: false,
    activation: "tanh",
  }));
  const d = tf.sequential();
  d.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 64,
      kernelSize: 5,
      strides: 2,
      padding: "same",
    }),
  );
  d.add(tf.layers.leakyReLU());
  d.add(tf.layers.dropout({ rate: 0.3 }));
  d.add(
    tf.layers.conv2d({
      filters: 128,
      kernelSize: 5,
      strides: 2,
      padding: "same",
    }),
  );
  d.add(tf.layers.leakyReLU());
  d.add(tf.layers.dropout({ rate: 0.3 }));
  d.add(tf.layers.flatten());
  d.add(tf.layers.dense({ units: 1 }));
  return { g, d };
}

function dcgan004(): { g: tf.LayersModel; d: tf.LayersModel } {
  const g = tf.sequential();
  g.add(tf.layers.dense({ inputShape: [100], units: 256 * 7 * 7 }));
  g.add(tf.layers.reshape({ targetShape: [7, 7, 256] }));
  g.add(
    tf.layers.conv2dTranspose({
      filters: 128,
      kernelSize: 3,
      strides: 2,
      padding: "same",
    }),
  );
  g.add(tf.layers.batchNormalization());
  g.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  g.add(
    tf.layers.conv2dTranspose({
      filters: 64,
      kernelSize: 3,
      strides: 1,
      padding: "same",
    }),
  );
  g.add(tf.layers.batchNormalization());
  g.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  g.add(
    tf.layers.conv2dTranspose({
      filters: 1,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      activation: "tanh",
    }),
  );
  const d = tf.sequential();
  d.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 32,
      kernelSize: 3,
      strides: 2,
      padding: "same",
    }),
  );
  d.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  d.add(
    tf.layers.conv2d({
      filters: 64,
      kernelSize: 3,
      strides: 2,
      padding: "same",
    }),
  );
  d.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  d.add(
    tf.layers.conv2d({
      filters: 128,
      kernelSize: 3,
      strides: 2,
      padding: "same",
    }),
  );
  d.add(tf.layers.leakyReLU({ alpha: 0.01 }));
  d.add(tf.layers.flatten());
  d.add(tf.layers.dense({ units: 1 }));
  return { g, d };
}

const { g, d } = arch === "000" ? dcgan000() : dcgan004();
const lr = arch === "000" ? 1e-4 : 1e-3;
const optD = tf.train.adam(lr, 0.9, 0.999, 1e-7);
const optG = tf.train.adam(lr, 0.9, 0.999, 1e-7);
const vars = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
const real = tf.randomUniform([batch, 28, 28, 1], -1, 1);

function iteration(): void {
  tf.tidy(() => {
    const z = tf.randomNormal([batch, 100]);
    optD.minimize(
      () => {
        const fake = g.apply(z, { training: true }) as tf.Tensor;
        const lr = d.apply(real, { training: true }) as tf.Tensor;
        const lf = d.apply(fake, { training: true }) as tf.Tensor;
        return tf.losses.sigmoidCrossEntropy(tf.onesLike(lr), lr).add(
          tf.losses.sigmoidCrossEntropy(tf.zerosLike(lf), lf),
        ) as tf.Scalar;
      },
      false,
      vars(d),
    );
    const z2 = tf.randomNormal([batch, 100]);
    optG.minimize(
      () => {
        const lf = d.apply(g.apply(z2, { training: true }), {
          training: true,
        }) as tf.Tensor;
        return tf.losses.sigmoidCrossEntropy(tf.onesLike(lf), lf) as tf.Scalar;
      },
      false,
      vars(g),
    );
  });
}

async function timed(): Promise<number> {
  const t0 = performance.now();
  iteration();
  await (d.trainableWeights[0]?.read() as tf.Tensor).data(); // sync point
  return performance.now() - t0;
}

console.log(`seed ${arch}, batch ${batch}, mode ${mode}, wasm (1 thread)`);
console.log(`warm-up: ${(await timed()).toFixed(0)} ms`);
const times: number[] = [];
for (let i = 0; i < steps; i++) times.push(await timed());
times.sort((a, b) => a - b);
console.log(
  `iteration ms: median ${times[Math.floor(times.length / 2)]?.toFixed(0)} ` +
    `(min ${times[0]?.toFixed(0)}, max ${times.at(-1)?.toFixed(0)}, n ${times.length})`,
);
console.log(`tensors alive: ${tf.memory().numTensors}`);

if (args.profile) {
  const prof = await tf.profile(() => iteration());
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let total = 0;
  for (const k of prof.kernels) {
    const ms = Number(k.kernelTimeMs);
    total += ms;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += 1;
    byKernel.set(k.name, e);
  }
  console.log(
    `profile: ${prof.kernels.length} kernel calls, ${total.toFixed(0)} ms in kernels`,
  );
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
  for (const [name, e] of rows.slice(0, 12)) {
    console.log(
      `  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.calls).padStart(4)} calls`,
    );
  }
  console.log("slowest single calls:");
  const calls = [...prof.kernels].sort((a, b) => Number(b.kernelTimeMs) - Number(a.kernelTimeMs));
  for (const k of calls.filter((k) => !k.name.endsWith("__op")).slice(0, 12)) {
    console.log(
      `  ${k.name.padEnd(22)} ${Number(k.kernelTimeMs).toFixed(1).padStart(7)} ms  in ${
        k.inputShapes.map((s) => `[${s}]`).join(" ")
      } out ${k.outputShapes.map((s) => `[${s}]`).join(" ")}`,
    );
  }
}
