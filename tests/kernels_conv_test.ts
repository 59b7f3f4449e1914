import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertGreater, assertLess, assertThrows } from "@std/assert";
import { innerKernelTiming } from "../lib/kernels/_wasm_ops.ts";
import { setSimdKernels } from "../lib/kernels/register_wasm_kernels.ts";
import { SCRATCH_FLOATS } from "../lib/kernels/wasm_conv_gemm.ts";
import { compareBackends, randomData, runOn, setUpBackends } from "./_kernel_parity.ts";

await setUpBackends();

type Pad = "same" | "valid" | [
  [0, 0],
  [number, number],
  [number, number],
  [0, 0],
];
interface Case {
  x: [number, number, number, number];
  k: number;
  co: number;
  s: number | [number, number];
  pad: Pad;
}

const cases: Case[] = [];
for (const k of [3, 4, 5]) {
  for (const s of [1, 2]) {
    for (const pad of ["same", "valid"] as const) {
      for (const hw of [7, 8]) {
        cases.push({ x: [2, hw, hw + 1, 3], k, co: 4, s, pad });
      }
    }
  }
}
cases.push(
  { x: [2, 9, 8, 2], k: 3, co: 3, s: [1, 2], pad: "same" },
  { x: [2, 9, 8, 2], k: 5, co: 3, s: [2, 1], pad: "valid" },
  { x: [1, 8, 8, 2], k: 4, co: 3, s: 2, pad: [[0, 0], [1, 2], [0, 3], [0, 0]] },
  { x: [1, 7, 7, 2], k: 3, co: 2, s: 3, pad: "same" },
  { x: [3, 5, 5, 1], k: 5, co: 2, s: 1, pad: "same" },
  { x: [2, 14, 14, 8], k: 5, co: 16, s: 2, pad: "same" },
);

function label(c: Case): string {
  return `x ${c.x} k ${c.k} co ${c.co} s ${c.s} pad ${JSON.stringify(c.pad)}`;
}

function outShape(c: Case): [number, number, number, number] {
  const t = tf.tidy(() =>
    tf.conv2d(
      tf.zeros(c.x) as tf.Tensor4D,
      tf.zeros([c.k, c.k, c.x[3], c.co]) as tf.Tensor4D,
      c.s,
      c.pad,
    )
  );
  const shape = t.shape as [number, number, number, number];
  t.dispose();
  return shape;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

const filterGrad = (c: Case, xv: Float32Array, dyv: Float32Array, yShape: number[]) =>
  tf.engine().runKernel("Conv2DBackpropFilter", { x: tf.tensor(xv, c.x), dy: tf.tensor(dyv, yShape) }, {
    strides: c.s,
    pad: c.pad,
    dataFormat: "NHWC",
    filterShape: [c.k, c.k, c.x[3], c.co],
  }) as tf.Tensor;

const inputGrad = (c: Case, dyv: Float32Array, wv: Float32Array, yShape: number[]) =>
  tf.engine().runKernel("Conv2DBackpropInput", {
    dy: tf.tensor(dyv, yShape),
    filter: tf.tensor(wv, [c.k, c.k, c.x[3], c.co]),
  }, { strides: c.s, pad: c.pad, dataFormat: "NHWC", inputShape: c.x }) as tf.Tensor;

/** Both backprop kernels on every case against cpu. */
async function checkBackprops(list: Case[]): Promise<void> {
  for (const [i, c] of list.entries()) {
    const yShape = outShape(c);
    const xv = randomData(size(c.x), 10 * i + 1);
    const dyv = randomData(size(yShape), 10 * i + 2);
    const wv = randomData(c.k * c.k * c.x[3] * c.co, 10 * i + 4);
    const errFilter = await compareBackends(() => filterGrad(c, xv, dyv, yShape));
    assertLess(errFilter, 1e-4, `Conv2DBackpropFilter ${label(c)}: rel error ${errFilter}`);
    const errInput = await compareBackends(() => inputGrad(c, dyv, wv, yShape));
    assertLess(errInput, 1e-4, `Conv2DBackpropInput ${label(c)}: rel error ${errInput}`);
  }
}

Deno.test("wasm Conv2DBackpropFilter and Conv2DBackpropInput match cpu", async () => {
  await checkBackprops(cases);
});

Deno.test("wasm Conv2D and FusedConv2D with bias and each fusable activation match cpu", async () => {
  for (const [i, c] of cases.entries()) {
    const xv = randomData(size(c.x), 10 * i + 7);
    const wv = randomData(c.k * c.k * c.x[3] * c.co, 10 * i + 8);
    const bv = randomData(c.co, 10 * i + 9);
    for (const activation of ["linear", "relu", "relu6", "leakyrelu"] as const) {
      const err = await compareBackends(() => {
        const x = tf.tensor4d(xv, c.x);
        const w = tf.tensor4d(wv, [c.k, c.k, c.x[3], c.co]);
        return [
          tf.conv2d(x, w, c.s, c.pad),
          tf.fused.conv2d({
            x,
            filter: w,
            strides: c.s,
            pad: c.pad,
            bias: tf.tensor1d(bv),
            activation,
            leakyreluAlpha: 0.1,
          }),
        ];
      });
      assertLess(err, 1e-4, `${label(c)} ${activation}: rel error ${err}`);
    }
  }
});

Deno.test("wasm conv kernels match cpu when the patch matrix spans several row blocks", async () => {
  // K = 5·5·64 = 1,600 floats a patch row, so a 2^20-float block holds 655 of the 768 rows.
  const big: Case[] = [{ x: [3, 16, 16, 64], k: 5, co: 8, s: 1, pad: "same" }];
  assertLess(SCRATCH_FLOATS / (5 * 5 * 64), 3 * 16 * 16);
  await checkBackprops(big);
  const xv = randomData(size(big[0]!.x), 5);
  const wv = randomData(5 * 5 * 64 * 8, 6);
  const err = await compareBackends(() =>
    tf.conv2d(tf.tensor4d(xv, big[0]!.x), tf.tensor4d(wv, [5, 5, 64, 8]), 1, "same")
  );
  assertLess(err, 1e-4, `Conv2D: rel error ${err}`);
});

Deno.test("with the SIMD module off, the XNNPACK conv path still matches cpu", async () => {
  setSimdKernels("off");
  try {
    await checkBackprops(cases);
  } finally {
    setSimdKernels("relaxed");
  }
});

Deno.test("conv kernels run as GEMMs, not through XNNPACK's Conv2D, where the SIMD module runs", async () => {
  const c = cases[cases.length - 1]!;
  const yShape = outShape(c);
  const stockConvCalls = async () => {
    innerKernelTiming(true).clear();
    await runOn("wasm", () => [
      inputGrad(c, randomData(size(yShape), 1), randomData(c.k * c.k * c.x[3] * c.co, 2), yShape),
      filterGrad(c, randomData(size(c.x), 3), randomData(size(yShape), 4), yShape),
    ]);
    return innerKernelTiming(false).get("Conv2D")?.calls ?? 0;
  };
  assertEquals(await stockConvCalls(), 0);
  setSimdKernels("off");
  try {
    assertGreater(await stockConvCalls(), 0);
  } finally {
    setSimdKernels("relaxed");
  }
});

Deno.test("conv2dTranspose forward and gradients on wasm match cpu", async () => {
  for (
    const [i, c] of cases.filter((c) => typeof c.pad === "string").entries()
  ) {
    const yShape = outShape(c);
    const xv = randomData(size(yShape), 10 * i + 5);
    const wv = randomData(c.k * c.k * c.x[3] * c.co, 10 * i + 6);
    const err = await compareBackends(() => {
      const f = (x: tf.Tensor, w: tf.Tensor) =>
        tf.conv2dTranspose(
          x as tf.Tensor4D,
          w as tf.Tensor4D,
          c.x,
          c.s,
          c.pad as "same" | "valid",
        )
          .tanh().sum();
      const x = tf.tensor(xv, yShape);
      const w = tf.tensor(wv, [c.k, c.k, c.x[3], c.co]);
      return [
        tf.conv2dTranspose(
          x as tf.Tensor4D,
          w as tf.Tensor4D,
          c.x,
          c.s,
          c.pad as "same",
        ),
        ...tf.grads(f)([x, w]),
      ];
    });
    assertLess(err, 1e-4, `${label(c)}: rel error ${err}`);
  }
});

Deno.test("gradients of a small conv + conv-transpose model match cpu", async () => {
  const build = () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2dTranspose({
      inputShape: [7, 7, 4],
      filters: 3,
      kernelSize: 5,
      strides: 2,
      padding: "same",
      useBias: false,
      kernelInitializer: "ones",
    }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    m.add(tf.layers.conv2d({
      filters: 5,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      kernelInitializer: "ones",
    }));
    m.add(tf.layers.leakyReLU({ alpha: 0.01 }));
    m.add(
      tf.layers.conv2d({
        filters: 2,
        kernelSize: 4,
        strides: 1,
        padding: "valid",
      }),
    );
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 1 }));
    return m;
  };
  const xv = randomData(3 * 7 * 7 * 4, 99);
  const weights: Float32Array[] = [];
  // Same weights on both backends: take cpu's initial values.
  await tf.setBackend("cpu");
  const ref = build();
  for (const w of ref.getWeights()) {
    const v = (await w.data()) as Float32Array;
    weights.push(
      v.map((_, j) => randomData(v.length, 1000 + weights.length)[j] as number),
    );
  }
  ref.dispose();
  const err = await compareBackends(() => {
    const m = build();
    m.setWeights(
      m.getWeights().map((w, j) => tf.tensor(weights[j] as Float32Array, w.shape)),
    );
    const x = tf.tensor4d(xv, [3, 7, 7, 4]);
    const { grads, value } = tf.variableGrads(() =>
      (m.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar
    );
    const out = [value, ...Object.values(grads)];
    m.dispose();
    return out;
  });
  assertLess(err, 1e-4, `rel error ${err}`);
});

Deno.test("wasm conv kernels reject NCHW and dilation > 1 with clear errors", async () => {
  await tf.setBackend("wasm");
  const x = tf.zeros([1, 6, 6, 2]);
  const dy = tf.zeros([1, 6, 6, 3]);
  const w = tf.zeros([3, 3, 2, 3]);
  assertThrows(
    () =>
      tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
        strides: 1,
        pad: "same",
        dataFormat: "NHWC",
        dilations: 2,
        filterShape: [3, 3, 2, 3],
      }),
    RangeError,
    "dilation 1 only: got dilations [2, 2]",
  );
  assertThrows(
    () =>
      tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
        strides: 1,
        pad: "same",
        dataFormat: "NCHW",
        inputShape: [1, 6, 6, 2],
      }),
    RangeError,
    "dataFormat 'NHWC' only: got 'NCHW'",
  );
  tf.dispose([x, dy, w]);
});

Deno.test("wasm conv kernels free their intermediates", async () => {
  await runOn("wasm", () => {
    const x = tf.ones([2, 8, 8, 3]) as tf.Tensor4D;
    const w = tf.ones([5, 5, 3, 4]) as tf.Tensor4D;
    return tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same").sum())([
      x,
      w,
    ]);
  });
  const before = tf.memory();
  await runOn("wasm", () => {
    const x = tf.ones([2, 8, 8, 3]) as tf.Tensor4D;
    const w = tf.ones([5, 5, 3, 4]) as tf.Tensor4D;
    return tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same").sum())([
      x,
      w,
    ]);
  });
  const after = tf.memory();
  assertLess(Math.abs(after.numTensors - before.numTensors), 1);
  assertLess(Math.abs(after.numBytes - before.numBytes), 1);
});
