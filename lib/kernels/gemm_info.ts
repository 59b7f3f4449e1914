/**
 * Which GEMM the wasm backend's matrix products and convolutions run on, as
 * printed at start-up and recorded in each run's `config.json` and in the
 * bench JSON.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, join } from "@std/path";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { gemmThread } from "./_gemm_threads.ts";
import { simdFor } from "./_simd_module.ts";
import { nativeBlasStatus, OPENBLAS_INSTALL } from "./native_blas.ts";
import type { GemmInfo } from "./gemm_label.ts";

export { describeGemm, type GemmInfo } from "./gemm_label.ts";

/**
 * The GEMM the current wasm backend uses now.
 * @returns null off wasm.
 * @example Print the GEMM in use
 * ```ts ignore
 * const gemm = gemmInfo();
 * if (gemm) console.log(describeGemm(gemm));
 * ```
 */
export function gemmInfo(): GemmInfo | null {
  if (tf.getBackend() !== "wasm") return null;
  const status = nativeBlasStatus();
  if (status.native) {
    const { config, threads, path } = status.native;
    return { library: "openblas", version: config, threads, path };
  }
  const simd = simdFor(tf.backend() as BackendWasm);
  if (!simd) return { library: "tfjs-wasm", version: tf.version.tfjs, threads: 1, fallback: status.note };
  return {
    library: "wasm-simd",
    version: `${simd.variant} SIMD build`,
    threads: gemmThread()?.variant === simd.variant ? 2 : 1,
    fallback: status.note,
  };
}

export { OPENBLAS_INSTALL };

/**
 * `deno task sweep`'s command in deno.json without its `--allow-ffi=…` flag: what to run to train on the wasm SIMD
 * GEMM (a task cannot drop one of its flags). tests/kernels_native_blas_test.ts checks it against deno.json.
 */
export const SWEEP_WITHOUT_FFI = "deno run --allow-read --allow-write=results,$HOME/.cache/gan-harness " +
  "--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA --allow-sys=hostname --allow-net=127.0.0.1:8000 tasks/sweep.ts";

/** The experiment file a run's sweep came from (`source` in `experiment.json` beside the run), or a placeholder. */
async function experimentSource(runDir: string): Promise<string> {
  try {
    const file = JSON.parse(await Deno.readTextFile(join(dirname(runDir), "experiment.json"))) as { source?: unknown };
    if (typeof file.source === "string" && file.source !== "") return file.source;
  } catch {
    // below
  }
  return "<experiment.ts>";
}

/** What {@linkcode gemmForRun} decided for one run. */
export interface RunGemm {
  /** GEMM threads to train it with. */
  threads: number;
  /** Set when the run's earlier steps ran on a GEMM this process cannot repeat: its numbers will differ from then on. */
  warning?: string;
}

/**
 * The GEMM threads a run should train with, given what its `config.json` recorded. OpenBLAS's products differ in
 * their last bits between 1 and 2 threads (each thread count is deterministic on its own), so a run resumed from a
 * checkpoint keeps the thread count it trained with where the sweep can choose (`canChoose`: one run at a time);
 * a new run gets `preferred`. A resumed run whose recorded GEMM (library or threads) cannot be matched gets a
 * warning: it trains on, but no longer bit for bit as it would have uninterrupted.
 * @param runDir the run's folder (config.json and checkpoint.bin are read from it).
 * @param now the GEMM this process runs (`BackendInfo.gemm`).
 * @param preferred the threads for a new run.
 * @param canChoose whether this run's threads can be set (false when runs train side by side: OpenBLAS's thread
 * count is process-wide, so it stays 1).
 */
export async function gemmForRun(
  runDir: string,
  now: GemmInfo,
  preferred: number,
  canChoose: boolean,
): Promise<RunGemm> {
  let recorded: GemmInfo | undefined;
  try {
    await Deno.stat(`${runDir}/checkpoint.bin`);
    const config = JSON.parse(await Deno.readTextFile(`${runDir}/config.json`)) as { backend?: { gemm?: GemmInfo } };
    // Runs from before the GEMM was recorded trained on the wasm SIMD GEMM.
    recorded = config.backend?.gemm ?? { library: "wasm-simd", version: "", threads: 1 };
  } catch {
    return { threads: preferred }; // nothing to resume
  }
  const describe = (g: GemmInfo) => g.library === "openblas" ? `OpenBLAS on ${g.threads} thread(s)` : g.library;
  if (recorded.library !== now.library) {
    const how = recorded.library === "openblas"
      ? `grant --allow-ffi for ${recorded.path ?? "the OpenBLAS library"} as before`
      : `run the sweep without the FFI permission to keep the wasm SIMD GEMM: ${SWEEP_WITHOUT_FFI} ` +
        `${await experimentSource(runDir)} (with the options you gave deno task sweep)`;
    return {
      threads: preferred,
      warning: `${runDir}: its checkpoint was trained on ${describe(recorded)}, this sweep runs ${describe(now)}; ` +
        `it resumes, but its numbers will differ from an uninterrupted run's; to continue bit for bit, ${how}`,
    };
  }
  if (now.library !== "openblas" || recorded.threads === preferred) return { threads: preferred };
  if (canChoose) return { threads: recorded.threads };
  return {
    threads: preferred,
    warning: `${runDir}: its checkpoint was trained on OpenBLAS with ${recorded.threads} threads, and runs trained ` +
      `side by side get ${preferred}; it resumes, but its numbers will differ from an uninterrupted run's; to continue ` +
      `bit for bit, resume it with --jobs 1 --threads ${recorded.threads}`,
  };
}
