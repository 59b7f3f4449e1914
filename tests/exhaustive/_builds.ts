/**
 * What the exhaustive checks of the SIMD module's kernels share: running a check with one build of the module
 * loaded, their counts, and the verdict they end with.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { simdFor } from "../../lib/kernels/_simd_module.ts";
import { setSimdKernels } from "../../lib/kernels/register_wasm_kernels.ts";

/** The module's two builds: with relaxed SIMD, and SIMD128 only. */
export const BUILDS = ["relaxed", "simd"] as const;

/** Floats checked and mismatches (the first few described). */
export interface Counts {
  floats: number;
  mismatches: number;
  examples: string[];
}

/**
 * Run `check` on the wasm backend with the module's `build` loaded; the relaxed build is loaded again after.
 * @throws {Error} when that build did not load.
 */
export async function inBuild<T>(build: typeof BUILDS[number], check: () => T): Promise<T> {
  setSimdKernels(build);
  try {
    await tf.setBackend("wasm");
    if (simdFor(tf.backend() as BackendWasm)?.variant !== build) throw new Error(`the ${build} build did not load`);
    return check();
  } finally {
    setSimdKernels("relaxed");
  }
}

/** Print the time since `started` and the verdict, and exit with 0 when nothing mismatched, 1 otherwise. */
export function exitWithVerdict(started: number, mismatches: number): never {
  console.log(
    `${((performance.now() - started) / 1000).toFixed(0)} s; ${
      mismatches === 0 ? "no mismatch" : `${mismatches} mismatches`
    }`,
  );
  Deno.exit(mismatches === 0 ? 0 : 1);
}
