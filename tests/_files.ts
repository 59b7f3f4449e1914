// File helpers shared by the tests.
import { fileURLToPath } from "node:url";

const ARTIFACTS = fileURLToPath(new URL("../.test-artifacts", import.meta.url));

/** Run `fn` with a fresh folder under `.test-artifacts/`, removed afterwards. */
export async function withTempDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: ARTIFACTS, prefix });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Gzip bytes with the built-in CompressionStream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Names in a folder, sorted (empty when it does not exist). */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

/** What a finished subprocess left. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `deno <args>` to its end, colours off, with `env` added to the environment. */
export async function runDeno(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

/** Whether `python` can import `module` (a test that needs numpy or torch is ignored where it cannot). */
export async function pythonHas(python: string, module: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(python, { args: ["-c", `import ${module}`], stderr: "null" }).output();
    return success;
  } catch {
    return false;
  }
}
