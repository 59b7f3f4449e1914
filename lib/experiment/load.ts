/**
 * Load an experiment file: import it (or take the module a one-file bundle provides) and validate its default
 * export, turning every way it can fail into one {@linkcode InputError} naming the file.
 * @module
 */
import { resolve, toFileUrl } from "@std/path";
import type { Experiment } from "./define.ts";
import { InputError } from "../input_error.ts";
import { validateExperiment } from "./validate.ts";

/** Experiment modules compiled into a one-file bundle (bench/gpu/), by absolute path. */
const bundled = new Map<string, { default?: unknown }>();

/**
 * Make experiment modules available without importing their files: for a one-file bundle run where the npm
 * packages the files import cannot be fetched (bench/gpu/sweep_entry.ts). Keys are paths relative to the
 * working directory, e.g. `experiments/blog-000-tf-dcgan.ts`; the files must still exist there.
 */
export function provideExperiments(modules: Record<string, { default?: unknown }>): void {
  for (const [path, mod] of Object.entries(modules)) bundled.set(resolve(path), mod);
}

/**
 * Import an experiment file and validate its default export.
 * @throws {InputError} for a missing file, a syntax error, no default export or an invalid experiment.
 */
export async function loadExperiment(path: string, options: LoadExperimentOptions = {}): Promise<Experiment> {
  let mod: { default?: unknown };
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) {
      throw new InputError(
        path,
        "is not a file; expected an experiment file such as experiments/quickstart.ts",
      );
    }
    mod = bundled.get(resolve(path)) ??
      await withTimeout(import(toFileUrl(resolve(path)).href), options.timeoutMs ?? LOAD_TIMEOUT_MS, path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    if (e instanceof Deno.errors.NotFound) {
      throw new InputError(
        path,
        "no such file; expected an experiment file such as experiments/quickstart.ts",
      );
    }
    const first = String((e as Error).message ?? e).split("\n").slice(0, 3)
      .join(" ");
    throw new InputError(path, `cannot load the experiment file: ${first}`);
  }
  if (mod.default === undefined) {
    throw new InputError(
      path,
      "has no default export; expected `export default defineExperiment({ name, base, grid })`",
    );
  }
  if (typeof (mod.default as { then?: unknown } | null)?.then === "function") {
    throw new InputError(
      path,
      "default export: a Promise; export the experiment itself, `export default defineExperiment({ ... })` " +
        "(a value it needs can be awaited at the top level before it)",
    );
  }
  return validateExperiment(mod.default, path);
}

/** How long an experiment file may take to load before it is taken to hang (a top-level await that never settles). */
export const LOAD_TIMEOUT_MS = 60_000;

/** Options of {@linkcode loadExperiment}. */
export interface LoadExperimentOptions {
  /** Give up on a file whose import has not finished after this long (default {@linkcode LOAD_TIMEOUT_MS}). */
  timeoutMs?: number;
}

async function withTimeout<T>(loading: Promise<T>, ms: number, path: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new InputError(
          path,
          `did not finish loading in ${ms / 1000} s: does it await something at the top level that never settles?`,
        ),
      );
    }, ms);
  });
  try {
    return await Promise.race([loading, hung]);
  } finally {
    clearTimeout(timer);
  }
}
