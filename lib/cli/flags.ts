/**
 * Shared command-line plumbing: typed flag parsing that rejects unknown
 * flags, and the exit-code convention (2 for bad input, 1 for a failure).
 * @module
 */
// @ts-types="../std_cli.d.ts"
import { parseArgs } from "@std/cli/parse-args";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";

/** Parsed flags. */
export interface Flags {
  _: string[];
  [flag: string]: unknown;
}

/** What flags a command takes. */
export interface FlagSpec {
  string?: string[];
  boolean?: string[];
  collect?: string[];
  default?: Record<string, unknown>;
  /** Boolean flags that also take a `--no-` form (`--no-charts`). */
  negatable?: string[];
  /** The most positional arguments the command takes (unlimited when absent). */
  positionals?: number;
}

/**
 * Parse `args`; an unknown flag, or more positional arguments than
 * `spec.positionals`, is an {@linkcode InputError} naming it. A value that
 * starts with a minus sign (`--jobs -1`) is the flag's value, so the command's
 * own check can say what is wrong with it.
 */
export function parseFlags(args: string[], spec: FlagSpec): Flags {
  const known = [
    ...(spec.string ?? []),
    ...(spec.boolean ?? []),
    ...(spec.negatable ?? []).map((f) => `no-${f}`),
    "help",
  ];
  const flags = parseFlagsAsGiven(joinNegativeValues(args, spec.string ?? []), spec, known);
  if (spec.positionals !== undefined && flags._.length > spec.positionals) {
    const extra = flags._.slice(spec.positionals).map((x) => JSON.stringify(String(x))).join(" ");
    throw new InputError(
      "arguments",
      `unexpected ${extra}: this command takes ${
        spec.positionals === 0 ? "only flags" : `at most ${spec.positionals} argument(s) besides its flags`
      } (a flag's name needs its dashes, e.g. ${flagExample(spec)})`,
    );
  }
  return flags;
}

/** One of this command's own flags as it is written: `--profile quick` where it has one. */
function flagExample(spec: FlagSpec): string {
  const strings = spec.string ?? [];
  if (strings.includes("profile")) return "--profile quick";
  if (strings.length > 0) return `--${strings[0]} VALUE`;
  return `--${spec.boolean?.[0] ?? "help"}`;
}

/**
 * `--jobs -1` → `--jobs=-1` for the flags in `stringFlags`, so a parser reads
 * the negative number as the flag's value rather than as an unknown flag.
 */
export function joinNegativeValues(args: readonly string[], stringFlags: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a.startsWith("--") && stringFlags.includes(a.slice(2)) && next !== undefined && /^-[\d.]/.test(next)) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  return joined;
}

function parseFlagsAsGiven(args: string[], spec: FlagSpec, known: string[]): Flags {
  return parseArgs(args, {
    string: spec.string ?? [],
    boolean: [...(spec.boolean ?? []), "help"],
    collect: spec.collect ?? [],
    negatable: spec.negatable ?? [],
    default: spec.default ?? {},
    unknown: (arg: string) => {
      if (!arg.startsWith("-")) return true;
      const name = arg.replace(/^-+/, "").split("=")[0]!;
      throw new InputError(
        `--${name}`,
        `unknown flag${didYouMean(name, known)} (known: ${known.map((k) => `--${k}`).join(", ")})`,
      );
    },
  }) as Flags;
}

/**
 * Run a command's main: bad input prints one line and exits 2; anything
 * unexpected prints its stack and exits 1.
 */
export async function runMain(main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (e) {
    // Bad input the user can fix: an experiment file, a flag, a dataset file, a results folder.
    if (e instanceof InputError) {
      console.error(`error: ${(e as Error).message}`);
      code = 2;
    } else {
      console.error(e);
      code = 1;
    }
  }
  Deno.exit(code);
}

/**
 * Fail fast, before any work, when this process may not write `path`: each
 * task's `--allow-write` covers only its own folder (e.g. `results/`).
 * @throws {InputError} naming `flag` and the path.
 */
export function requireWritable(flag: string, path: string): void {
  if (path.trim() === "") throw new InputError(flag, "expected a path, got an empty string");
  if (mayWrite(path)) return;
  if (Deno.permissions.querySync({ name: "write", path }).state === "prompt" && Deno.stdin.isTerminal()) {
    if (Deno.permissions.requestSync({ name: "write", path }).state === "granted") return;
  }
  throw new InputError(
    flag,
    `this task may not write ${JSON.stringify(path)} (its --allow-write covers only its own folder); ` +
      `choose a path inside that folder, or run the script with deno run --allow-write=<folder>`,
  );
}

/** Whether this process has been granted writing `path` (no prompt). */
export function mayWrite(path: string): boolean {
  return Deno.permissions.querySync({ name: "write", path }).state === "granted";
}
