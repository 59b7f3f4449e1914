/**
 * Shared command-line plumbing: typed flag parsing that rejects unknown
 * flags, and the exit-code convention (2 for bad input, 1 for a failure).
 * @module
 */
// @ts-types="./std_cli.d.ts"
import { parseArgs } from "@std/cli/parse-args";
import { InputError } from "./input_error.ts";
import { didYouMean } from "./suggest.ts";

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
}

/**
 * Parse `args`; an unknown flag is an {@linkcode InputError} naming it.
 */
export function parseFlags(args: string[], spec: FlagSpec): Flags {
  const known = [...(spec.string ?? []), ...(spec.boolean ?? []), "help"];
  return parseArgs(args, {
    string: spec.string ?? [],
    boolean: [...(spec.boolean ?? []), "help"],
    collect: spec.collect ?? [],
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
    if (e instanceof InputError || (e as Error)?.name === "DatasetError") {
      console.error(`error: ${(e as Error).message}`);
      code = 2;
    } else {
      console.error(e);
      code = 1;
    }
  }
  Deno.exit(code);
}
