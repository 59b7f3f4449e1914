/**
 * Download the official dataset files into the user cache, verifying each
 * one before it appears there.
 *
 * A file is streamed into a temporary `.<name>.part-<random>` file in the
 * cache folder, checked (complete body, gzip, IDX structure, dims, SHA-256 of
 * the uncompressed bytes against {@linkcode DATASET_INFO}), and only then
 * renamed into place; on any failure the temporary file is removed, so the
 * cache never holds a half-written or unverified file under a real name.
 * @module
 */
import { join } from "node:path";
import {
  cacheRoot,
  DATASET_INFO,
  DatasetError,
  type DatasetName,
  type FileSpec,
  findFile,
  mismatch,
  readDatasetFile,
  type Split,
  verifyFile,
} from "./datasets.ts";
import { decodeIdx, IdxFormatError } from "./idx.ts";

/** Options of {@linkcode fetchDataset}. */
export interface FetchOptions {
  /** Root of the user cache; defaults as in `loadDataset`. */
  cacheDir?: string | undefined;
  /** Base URLs serving `<file>.gz`, tried in order; default: the dataset's mirrors. */
  from?: string | readonly string[] | undefined;
  /** Download even when a verified file is already in the cache. */
  force?: boolean | undefined;
  /** Progress lines (default: none). */
  log?: ((line: string) => void) | undefined;
}

/** What happened to one file. */
export interface FetchedFile {
  /** The file's official name (without `.gz`). */
  file: string;
  /** Where it is in the cache. */
  path: string;
  /** `downloaded`, or `present` when a verified copy was already there. */
  status: "downloaded" | "present";
  /** The URL it came from (when downloaded). */
  url?: string;
}

/** An error's message followed by those of its causes. */
function message(e: unknown): string {
  const parts: string[] = [];
  for (let c = e; c !== undefined && parts.length < 4;) {
    parts.push(c instanceof Error ? c.message : String(c));
    c = c instanceof Error ? c.cause : undefined;
  }
  return parts.join(": ");
}

async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * Download one file, verify it against `spec`, and move it into `dir` as
 * `<spec.file>.gz` (or `<spec.file>` if the server sent it uncompressed),
 * replacing any older copy under either name.
 *
 * @param url Where to get it.
 * @param dir The cache folder (created if missing).
 * @param spec The official file it must be.
 * @returns The path of the verified file.
 * @throws {DatasetError} On a network or HTTP error, a body that ends early
 *   (naming bytes received and expected), a malformed file, or a checksum
 *   mismatch (naming expected and got). Nothing is left behind in `dir`.
 * @example Download one file
 * ```ts ignore
 * import { downloadFile } from "./download.ts";
 * import { DATASET_INFO } from "./datasets.ts";
 * await downloadFile(
 *   "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz",
 *   "/tmp/mnist",
 *   DATASET_INFO.mnist.files.test.labels,
 * );
 * ```
 */
export async function downloadFile(
  url: string,
  dir: string,
  spec: FileSpec,
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${spec.file}.part-${crypto.randomUUID()}`);
  let done = false;
  try {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable) {
        throw new DatasetError(
          `${url}: no network permission: run with ` +
            `--allow-net=${new URL(url).host}`,
          { cause: e },
        );
      }
      throw new DatasetError(`${url}: request failed: ${message(e)}`, {
        cause: e,
      });
    }
    if (!res.ok || res.body === null) {
      await res.body?.cancel();
      throw new DatasetError(
        `${url}: HTTP ${res.status} ${res.statusText}`.trimEnd(),
      );
    }
    // With a Content-Encoding, fetch decodes and the length no longer applies.
    const declared = res.headers.get("content-encoding") === null
      ? Number(res.headers.get("content-length") ?? NaN)
      : NaN;
    let received = 0;
    const out = await Deno.open(tmp, { createNew: true, write: true });
    try {
      for await (const chunk of res.body) {
        received += chunk.length;
        let written = 0;
        while (written < chunk.length) {
          written += await out.write(chunk.subarray(written));
        }
      }
      await out.syncData();
    } catch (e) {
      const of = Number.isFinite(declared) ? ` of ${declared}` : "";
      throw new DatasetError(
        `${url}: the download broke off after ${received}${of} bytes: ` +
          message(e),
        { cause: e },
      );
    } finally {
      out.close();
    }
    if (Number.isFinite(declared) && received !== declared) {
      throw new DatasetError(
        `${url}: truncated response: Content-Length is ${declared} bytes, ` +
          `received ${received}`,
      );
    }
    let file;
    try {
      file = await decodeIdx(await Deno.readFile(tmp), url, spec.dims.length);
    } catch (e) {
      if (e instanceof IdxFormatError) {
        throw new DatasetError(`${e.message} (downloaded ${received} bytes)`, {
          cause: e,
        });
      }
      throw e;
    }
    const problem = await mismatch(file, spec);
    if (problem !== null) {
      throw new DatasetError(`${url}: ${problem}; the file was not kept`);
    }
    const name = file.gzip ? `${spec.file}.gz` : spec.file;
    const other = file.gzip ? spec.file : `${spec.file}.gz`;
    await Deno.rename(tmp, join(dir, name));
    done = true;
    await removeIfExists(join(dir, other));
    return join(dir, name);
  } finally {
    if (!done) await removeIfExists(tmp);
  }
}

function resolveUrl(base: string, file: string): string {
  return new URL(file, base.endsWith("/") ? base : `${base}/`).href;
}

/**
 * Download the four files of a dataset into `<cache root>/<name>/`, trying
 * each base URL in turn for each file and keeping files already there that
 * verify (unless `force`).
 *
 * @param name The dataset.
 * @param options Cache root, base URLs, `force`, progress callback.
 * @returns One entry per file, train images first.
 * @throws {DatasetError} When no cache folder can be determined, or a file
 *   could not be got from any base URL (the message lists each URL and why).
 *   Files fetched before the failure stay, verified.
 * @example Fetch Fashion-MNIST from a local mirror
 * ```ts ignore
 * import { fetchDataset } from "./download.ts";
 * await fetchDataset("fashion-mnist", {
 *   from: "http://127.0.0.1:8000/fashion/",
 *   log: console.log,
 * });
 * ```
 */
export async function fetchDataset(
  name: DatasetName,
  options: FetchOptions = {},
): Promise<FetchedFile[]> {
  const info = DATASET_INFO[name];
  const root = cacheRoot(options.cacheDir);
  if (root === null) {
    throw new DatasetError(
      "No cache folder: set GAN_HARNESS_DATA or HOME (and grant --allow-env " +
        "for it), or pass --cache-dir",
    );
  }
  const dir = join(root, name);
  const bases = options.from === undefined
    ? info.mirrors
    : typeof options.from === "string"
    ? [options.from]
    : options.from;
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable)) throw e;
    const hosts = [...new Set(bases.map((b) => URL.parse(b)?.host).filter((h) => h))].join(",");
    throw new DatasetError(
      `No permission to write the cache folder ${dir} (\`deno task data\` may write only ~/.cache/gan-harness). ` +
        `To download into ${root}: deno run --allow-read --allow-write=${root} ` +
        `--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA --allow-net=${hosts} tasks/data.ts --fetch ${name} ` +
        `--cache-dir ${root}` + (options.from === undefined ? "" : bases.map((b) => ` --from ${b}`).join("")) +
        (options.force ? " --force" : ""),
      { cause: e },
    );
  }
  const log = options.log ?? (() => {});
  const results: FetchedFile[] = [];
  for (const split of ["train", "test"] as Split[]) {
    for (const spec of [info.files[split].images, info.files[split].labels]) {
      const existing = options.force ? null : await findFile(dir, spec);
      if (existing !== null) {
        try {
          const file = await readDatasetFile(name, existing, spec);
          await verifyFile(name, existing, file, spec);
          log(`${existing}: already there, checksum ok`);
          results.push({ file: spec.file, path: existing, status: "present" });
          continue;
        } catch (e) {
          if (!(e instanceof DatasetError)) throw e;
          log(`${existing}: ${e.message.split("\n")[0]}; downloading again`);
        }
      }
      const failures: string[] = [];
      let got: FetchedFile | null = null;
      for (const base of bases) {
        const url = resolveUrl(base, `${spec.file}.gz`);
        log(`${url} → ${dir}`);
        try {
          const path = await downloadFile(url, dir, spec);
          got = { file: spec.file, path, status: "downloaded", url };
          log(`${path}: downloaded, checksum ok`);
          break;
        } catch (e) {
          if (!(e instanceof DatasetError)) throw e;
          failures.push(`  - ${e.message}`);
          log(`failed: ${e.message}`);
        }
      }
      if (got === null) {
        throw new DatasetError(
          `${info.title}: could not get ${spec.file}.gz from any source:\n` +
            `${failures.join("\n")}\nNothing unverified was written to ${dir}.`,
        );
      }
      results.push(got);
    }
  }
  return results;
}
