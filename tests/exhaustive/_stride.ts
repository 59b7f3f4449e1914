/**
 * The exhaustive checks' one flag, `--stride N` (every Nth input only; 1, the default, is every input).
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";

/** The stride from `args`; exits with status 2, naming the flag and the value, when it is not a positive integer. */
export function strideFlag(args: string[]): number {
  const flags = parseArgs(args, { string: ["stride"], default: { stride: "1" } });
  const stride = Number(flags.stride);
  if (!Number.isInteger(stride) || stride < 1) {
    console.error(`--stride: expected a positive integer, got '${flags.stride}'`);
    Deno.exit(2);
  }
  return stride;
}
