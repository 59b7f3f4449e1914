// Types for the untyped deno-std npm build of @std/cli/parse-args (the subset used here).
export interface ParseOptions {
  string?: string[];
  boolean?: string[];
  collect?: string[];
  negatable?: string[];
  default?: Record<string, unknown>;
  unknown?: (arg: string, key?: string, value?: unknown) => unknown;
}
export function parseArgs(
  args: string[],
  options?: ParseOptions,
): { _: (string | number)[]; [k: string]: unknown };
