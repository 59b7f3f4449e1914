// Runs `tasks/sweep.ts` as a real subprocess, as `deno task sweep` would.
import { type CliResult, listDir, runDeno } from "./_files.ts";

export { listDir } from "./_files.ts";

/** The permissions the `sweep` task grants, with writes allowed under `out`. */
export function sweepArgs(out: string, args: string[]): string[] {
  return [
    "run",
    "--allow-ffi=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "--allow-read",
    `--allow-write=${out}`,
    "--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA",
    "--allow-sys=hostname",
    "tasks/sweep.ts",
    ...args,
    "--out",
    out,
  ];
}

/** Run a sweep to its end. */
export function runSweepCli(out: string, ...args: string[]): Promise<CliResult> {
  return runDeno(sweepArgs(out, args));
}

/** Run a sweep with extra environment variables. */
export function runSweepCliWithEnv(env: Record<string, string>, out: string, ...args: string[]): Promise<CliResult> {
  return runDeno(sweepArgs(out, args), env);
}

/** Write an experiment file with a syntax error into .test-artifacts/; returns its path. */
export async function badSyntaxFile(): Promise<string> {
  // One fixed file, rewritten by every test module that asks for it (not a temp folder per module left behind).
  const dir = new URL("../.test-artifacts", import.meta.url).pathname;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/bad_syntax.ts`;
  await Deno.writeTextFile(path, 'export default {\n  name: "broken",\n  base: { lr: 0.01\n');
  return path;
}

/** The folder of the one run a sweep of `experiment` wrote under `out`. */
export async function runFolder(out: string, experiment: string): Promise<string> {
  const [run] = (await listDir(`${out}/${experiment}`)).filter((n) => n !== "experiment.json");
  return `${out}/${experiment}/${run}`;
}
