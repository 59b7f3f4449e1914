// Prints, as JSON, which GEMM the wasm backend runs under this process's permissions, and a product's bits
// (tests/kernels_native_blas_test.ts runs it with and without the FFI permission).
import * as tf from "@tensorflow/tfjs";
import { startBackend } from "../lib/tfjs/backend.ts";
import { randomData } from "./_kernel_parity.ts";
import "../lib/tfjs/kernels_setup.ts";

const info = await startBackend("wasm");
const product = tf.tidy(() =>
  tf.matMul(tf.tensor2d(randomData(64 * 96, 3), [64, 96]), tf.tensor2d(randomData(96 * 40, 4), [96, 40]))
);
const values = Array.from(await product.data());
product.dispose();
console.log(JSON.stringify({ gemm: info.gemm ?? null, values }));
