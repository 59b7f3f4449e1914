/**
 * Load an experiment file: import it (or take the module a one-file bundle provides) and validate its default
 * export, turning every way it can fail into one {@linkcode InputError} naming the file.
 * @module
 */
import { resolve, toFileUrl } from "@std/path";
import type { Experiment } from "./define.ts";
import { InputError } from "../input_error.ts";
import { validateExperiment } from "./validate.ts";
import "../archs/builtin.ts"; // the names an experiment may use without registering its own

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
export async function loadExperiment(path: string): Promise<Experiment> {
  let mod: { default?: unknown };
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) {
      throw new InputError(
        path,
        "is not a file; expected an experiment file such as experiments/quickstart.ts",
      );
    }
    mod = bundled.get(resolve(path)) ?? await import(toFileUrl(resolve(path)).href);
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
  return validateExperiment(mod.default, path);
}
