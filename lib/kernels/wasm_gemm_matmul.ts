/**
 * wasm `BatchMatMul` / `_FusedMatMul` on the harness's own GEMM
 * (lib/kernels/simd/gemm.c).
 *
 * The stock kernels hand every product to an XNNPACK fully-connected
 * operator that tfjs caches by the data id of `b`. In training `b` is a
 * fresh buffer on nearly every call (an activation gradient, a transposed
 * weight, or a weight that Adam has just replaced), so the operator is
 * re-created and `b` re-packed each time: ~6–7 ms of packing for a
 * 784×1024 weight, next to ~8 ms of arithmetic at batch 128. The GEMM here
 * packs `b` in a cache-friendly order (≈10× cheaper), reads transposed
 * operands through strides (no Transpose kernel), and multiplies with a
 * fused-multiply-add micro-kernel where the engine has relaxed SIMD.
 *
 * Cases it does not take (non-float32, PReLU/ELU/sigmoid activations, a
 * bias that is not a vector of length N, batch shapes that broadcast in
 * both operands, empty products, no SIMD) go to the fallback kernel.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { GEMM_ACTIVATIONS, simdFor } from "./_simd_module.ts";

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * Wrap a matmul kernel so that every product the GEMM can take runs there.
 *
 * @param kernelName `"BatchMatMul"` or `"_FusedMatMul"`.
 * @param fallback the kernel for the cases the GEMM does not take.
 * @returns A kernel config for `tf.registerKernel`.
 * @example Re-register BatchMatMul
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * const stock = tf.getKernel("BatchMatMul", "wasm")!.kernelFunc;
 * tf.unregisterKernel("BatchMatMul", "wasm");
 * tf.registerKernel(gemmMatMul("BatchMatMul", stock));
 * ```
 */
export function gemmMatMul(
  kernelName: "BatchMatMul" | "_FusedMatMul",
  fallback: tf.KernelFunc,
): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as BackendWasm;
    const a = inputs["a"];
    const b = inputs["b"];
    const bias = inputs["bias"];
    const activation = (attrs?.["activation"] as string | undefined) ?? "linear";
    const act = GEMM_ACTIVATIONS[activation as keyof typeof GEMM_ACTIVATIONS];
    if (
      !a || !b || a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 || b.shape.length < 2 ||
      act === undefined || inputs["preluActivationWeights"] ||
      (bias && (bias.dtype !== "float32" || bias.shape.length !== 1))
    ) {
      return fallback(args);
    }
    const transposeA = attrs?.["transposeA"] === true;
    const transposeB = attrs?.["transposeB"] === true;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const [a0, a1] = [a.shape[ra - 2]!, a.shape[ra - 1]!];
    const [b0, b1] = [b.shape[rb - 2]!, b.shape[rb - 1]!];
    const m = transposeA ? a1 : a0;
    const k = transposeA ? a0 : a1;
    const n = transposeB ? b0 : b1;
    const kb = transposeB ? b1 : b0;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = size(outerA);
    const batchB = size(outerB);
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (
      k !== kb || m === 0 || n === 0 || k === 0 || (bias && bias.shape[0] !== n) ||
      !(sameOuter || batchA === 1 || batchB === 1)
    ) {
      return fallback(args);
    }
    const gemm = simdFor(backend);
    if (!gemm) return fallback(args);

    const outer = sameOuter ? outerA : tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    const out = backend.makeOutput([...outer, m, n], "float32");
    const aPtr = backend.getMemoryOffset(a.dataId);
    const bPtr = backend.getMemoryOffset(b.dataId);
    const cPtr = backend.getMemoryOffset(out.dataId);
    const biasPtr = bias ? backend.getMemoryOffset(bias.dataId) : 0;
    const alpha = (attrs?.["leakyreluAlpha"] as number | undefined) ?? 0.2;
    const sa = transposeA ? { rowStride: 1, colStride: m } : { rowStride: k, colStride: 1 };
    const sb = transposeB ? { rowStride: 1, colStride: k } : { rowStride: n, colStride: 1 };
    const batch = Math.max(batchA, batchB);
    for (let i = 0; i < batch; i++) {
      const aAt = aPtr + (batchA === 1 ? 0 : i * m * k * 4);
      const bAt = bPtr + (batchB === 1 ? 0 : i * k * n * 4);
      gemm.gemm({ ptr: aAt, ...sa }, { ptr: bAt, ...sb }, cPtr + i * m * n * 4, m, n, k, biasPtr, act, alpha);
    }
    return out;
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}
