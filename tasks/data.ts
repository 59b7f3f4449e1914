/**
 * `deno task data`: where each dataset is found and whether its checksums
 * pass; `--fetch <name>` downloads one into the user cache.
 *
 * ```sh
 * deno task data                              # list and verify, exit 1 if unusable
 * deno task data --fetch fashion-mnist         # from the canonical mirrors
 * deno task data --fetch mnist --from URL-BASE # from another mirror (repeatable)
 * ```
 * @module
 */
import { parseFlags, runMain } from "../lib/cli/flags.ts";
import { InputError } from "../lib/input_error.ts";
import { didYouMean } from "../lib/suggest.ts";
import {
  DATASET_INFO,
  DATASET_NAMES,
  DatasetError,
  type DatasetName,
  findFile,
  howToGet,
  locateDataset,
  readDatasetFile,
  searchDirs,
  type Split,
  verifyFile,
} from "../lib/data/datasets.ts";
import { fetchDataset } from "../lib/data/download.ts";

const USAGE = `Usage:
  deno task data [--cache-dir DIR]
      List where each dataset is found and verify its checksums.
  deno task data --fetch <mnist|fashion-mnist> [--from URL-BASE]... [--cache-dir DIR] [--force]
      Download the four files into the user cache, verifying each.

Options:
  --cache-dir DIR   root of the user cache (default: $GAN_HARNESS_DATA,
                    else $XDG_CACHE_HOME/gan-harness, else ~/.cache/gan-harness)
  --from URL-BASE   base URL serving <file>.gz; repeat to try several in order
                    (default: the dataset's canonical mirrors)
  --force           download even files already in the cache and verified
  --help            this text`;

/** Options parsed from the command line. */
interface Args {
  fetch?: string;
  from: string[];
  cacheDir?: string;
  force: boolean;
  help: boolean;
}

function parse(argv: string[]): Args {
  const raw = parseFlags(argv, {
    string: ["fetch", "from", "cache-dir"],
    boolean: ["force"],
    collect: ["from"],
    positionals: 0,
  });
  const args: Args = {
    from: raw.from as string[],
    force: raw.force === true,
    help: raw.help === true,
  };
  if (raw.fetch !== undefined) args.fetch = String(raw.fetch);
  if (raw["cache-dir"] !== undefined) args.cacheDir = String(raw["cache-dir"]);
  return args;
}

const SPLITS: Split[] = ["train", "test"];

/** Print one dataset's folders and files; return whether both splits load. */
async function report(name: DatasetName, cacheDir?: string): Promise<boolean> {
  const info = DATASET_INFO[name];
  console.log(`${name} (${info.title})`);
  const search = cacheDir === undefined ? {} : { cacheDir };
  const used = new Map<Split, string>();
  for (const split of SPLITS) {
    const found = await locateDataset(name, split, search);
    if (found !== null) used.set(split, found.where.dir);
  }
  const dirs = searchDirs(name, search);
  let ok = true;
  for (const [i, where] of dirs.entries()) {
    const splits = SPLITS.filter((s) => used.get(s) === where.dir);
    const mark = splits.length > 0 ? `  ← used for ${splits.join(" and ")}` : "";
    console.log(`  ${i + 1}. ${where.dir} [${where.label}]${mark}`);
    if (!where.readable) {
      console.log("       skipped: no read permission (--allow-read)");
      continue;
    }
    for (const split of SPLITS) {
      for (const spec of Object.values(info.files[split])) {
        const path = await findFile(where.dir, spec);
        if (path === null) {
          console.log(`       -    ${spec.file}[.gz]: not there`);
          continue;
        }
        try {
          const file = await readDatasetFile(name, path, spec, where);
          await verifyFile(name, path, file, spec, where);
          console.log(
            `       ok   ${path.slice(where.dir.length + 1)}: ` +
              `${file.dims.join("×")}, sha256 ${spec.sha256.slice(0, 12)}…`,
          );
        } catch (e) {
          if (!(e instanceof DatasetError)) throw e;
          if (splits.includes(split)) ok = false;
          console.log(
            `       BAD  ${e.message.replaceAll("\n", "\n            ")}`,
          );
        }
      }
    }
  }
  const missing = SPLITS.filter((s) => !used.has(s));
  if (missing.length > 0) {
    ok = false;
    console.log(
      `  ${missing.join(" and ")} not found.\n  ` +
        howToGet(name).replaceAll("\n", "\n  "),
    );
  }
  console.log(ok ? "  usable: yes\n" : "  usable: NO\n");
  return ok;
}

/**
 * Run the command.
 *
 * @param argv Command-line arguments.
 * @returns The exit code: 0 when everything asked for is usable, 1 when a
 *   dataset is missing or fails verification or a download failed.
 * @throws {InputError} for a usage error (`runMain` prints it and exits 2).
 */
export async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.fetch === undefined) {
    if (args.from.length > 0 || args.force) {
      throw new InputError(args.force ? "--force" : "--from", "goes with --fetch NAME (deno task data --help)");
    }
    let ok = true;
    for (const name of DATASET_NAMES) {
      ok = (await report(name, args.cacheDir)) && ok;
    }
    return ok ? 0 : 1;
  }
  const name = args.fetch;
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new InputError(
      "--fetch",
      `unknown dataset '${name}'${didYouMean(name, DATASET_NAMES)} (expected one of ${DATASET_NAMES.join(", ")})`,
    );
  }
  try {
    const options = {
      force: args.force,
      log: (line: string) => console.log(line),
      ...(args.cacheDir === undefined ? {} : { cacheDir: args.cacheDir }),
      ...(args.from.length === 0 ? {} : { from: args.from }),
    };
    const files = await fetchDataset(name as DatasetName, options);
    const fresh = files.filter((f) => f.status === "downloaded").length;
    console.log(
      `${name}: ${fresh} downloaded, ${files.length - fresh} already there; ` +
        `all ${files.length} verified`,
    );
    return 0;
  } catch (e) {
    if (e instanceof DatasetError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) await runMain(() => main(Deno.args));
