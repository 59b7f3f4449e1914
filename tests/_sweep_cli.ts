// Runs `tasks/sweep.ts` as a real subprocess, as `deno task sweep` would.

/** What a finished sweep process left. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The permissions the `sweep` task grants, with writes allowed under `out`. */
export function sweepArgs(out: string, args: string[]): string[] {
  return [
    "run",
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
export async function runSweepCli(out: string, ...args: string[]): Promise<CliResult> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: sweepArgs(out, args),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

/** Names in a folder (empty when it does not exist). */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

/** Write an experiment file with a syntax error into a temp folder; returns its path. */
export async function badSyntaxFile(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/bad_syntax.ts`;
  await Deno.writeTextFile(path, 'export default {\n  name: "broken",\n  base: { lr: 0.01\n');
  return path;
}
