/**
 * wasm `BatchMatMul` / `_FusedMatMul` that transpose explicitly.
 *
 * The stock wasm kernels handle `transposeA`/`transposeB` with a slow path
 * (748 ms instead of 21 ms for a 784×256ᵀ @ 256×1024 product on this
 * machine). These wrappers transpose the operand with the wasm `Transpose`
 * kernel, then call the stock kernel with both flags off. Since the harness's
 * own GEMM (wasm_gemm_matmul.ts) took over, this is its fallback for the
 * cases it does not take.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { free, type Info, transpose } from "./_wasm_ops.ts";

function swapLastTwo(x: Info): Info["shape"] {
  const rank = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * Wrap a stock wasm matmul kernel (`BatchMatMul` or `_FusedMatMul`) so that
 * transposed operands are materialised first.
 *
 * @param kernelName The kernel to register (`"BatchMatMul"` or `"_FusedMatMul"`).
 * @param stockFunc The stock wasm kernel function for that name.
 * @returns A kernel config for `tf.registerKernel`.
 * @example Re-register BatchMatMul
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * const stock = tf.getKernel("BatchMatMul", "wasm")!.kernelFunc;
 * tf.unregisterKernel("BatchMatMul", "wasm");
 * tf.registerKernel(explicitTransposeMatMul("BatchMatMul", stock));
 * ```
 */
export function explicitTransposeMatMul(
  kernelName: "BatchMatMul" | "_FusedMatMul",
  stockFunc: tf.KernelFunc,
): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const transposeA = attrs?.["transposeA"] === true;
    const transposeB = attrs?.["transposeB"] === true;
    if (!transposeA && !transposeB) {
      return stockFunc({ inputs, backend, ...(attrs ? { attrs } : {}) });
    }
    const a0 = inputs["a"];
    const b0 = inputs["b"];
    if (!a0 || !b0) {
      throw new TypeError(
        `${kernelName} on wasm needs inputs 'a' and 'b': got ${Object.keys(inputs).join(", ")}`,
      );
    }
    const temps: Info[] = [];
    const a1 = transposeA ? transpose(b, a0, swapLastTwo(a0)) : a0;
    if (transposeA) temps.push(a1);
    const b1 = transposeB ? transpose(b, b0, swapLastTwo(b0)) : b0;
    if (transposeB) temps.push(b1);
    try {
      return stockFunc({
        inputs: { ...inputs, a: a1, b: b1 },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      free(b, ...temps);
    }
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}
