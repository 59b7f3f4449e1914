/**
 * The paired bench (`--pairs`) in several fresh processes, and the ratios across them.
 *
 * Within one process the pairs agree to a few percent, but two processes of the same commit minutes apart can sit
 * ±15% apart on the small MLPs for their whole life (2026-12-05, 2-core EPYC VM: mlp-pytorch blocks at 9.4–10.0 ms
 * in some processes and 11.3–12.0 in others). A single process's ratio is therefore a draw; the median over several
 * processes, with the processes' range, is the figure to quote.
 * @module
 */
import { dirname, fromFileUrl, join, resolve } from "@std/path";
import { median } from "./iteration.ts";
import type { PairedRatio } from "./torch_pairs.ts";
import { formatShape, type ImageShape } from "./images.ts";

/** One case's paired ratio across processes. */
export interface ProcessesRatio {
  arch: string;
  /** `[height, width, channels]` of the images. */
  imageShape: ImageShape;
  batchSize: number;
  threads: number;
  /** Median over the processes of each process's median ratio, and the processes' range. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  /** Each process's median ratio, in the order the processes ran. */
  perProcess: number[];
  /** Medians over the processes of each process's harness and torch ms per iteration. */
  harnessMs: number;
  torchMs: number;
}

/** The key a case is matched by across processes. */
function caseKey(r: { arch: string; imageShape: readonly number[]; batchSize: number; threads: number }): string {
  return `${r.arch} ${formatShape(r.imageShape)}@${r.batchSize}×${r.threads}`;
}

/**
 * Each case's ratio across `processes` (each process's paired ratios, in the order they ran): a case missing from
 * some process (torch failed there) is summarized over the processes that have it.
 */
export function acrossProcesses(processes: PairedRatio[][]): ProcessesRatio[] {
  const byCase = new Map<string, PairedRatio[]>();
  for (const r of processes.flat()) {
    const list = byCase.get(caseKey(r));
    if (list) list.push(r);
    else byCase.set(caseKey(r), [r]);
  }
  return [...byCase.values()].map((rs) => {
    const ratios = rs.map((r) => r.ratio);
    return {
      arch: rs[0]!.arch,
      imageShape: rs[0]!.imageShape,
      batchSize: rs[0]!.batchSize,
      threads: rs[0]!.threads,
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      perProcess: ratios,
      harnessMs: median(rs.map((r) => r.harnessMs)),
      torchMs: median(rs.map((r) => r.torchMs)),
    };
  });
}

/** `args` without the flags named (as `--flag value` or `--flag=value`). */
export function withoutFlags(args: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (names.some((n) => arg === `--${n}`)) i++; // and its value
    else if (!names.some((n) => arg.startsWith(`--${n}=`))) out.push(arg);
  }
  return out;
}

/** Where process `i`'s JSON goes: beside the bench's, `-process-<i>` added to the name. */
export function processJsonPath(jsonPath: string, i: number): string {
  return jsonPath.replace(/(\.json)?$/, `-process-${i}.json`);
}

const ROOT = join(dirname(fromFileUrl(import.meta.url)), "..", "..");

/**
 * Run `deno task bench` with `args` (the caller's own, less `--processes` and `--json`) in `n` fresh processes one
 * after another, each writing its JSON to {@linkcode processJsonPath}, their output shown as it comes; each
 * process's paired ratios, in order. A process that fails is an error naming it and its exit code.
 */
export async function pairsInProcesses(args: readonly string[], n: number, jsonPath: string): Promise<PairedRatio[][]> {
  const rest = withoutFlags(args, ["processes", "json"]);
  const out: PairedRatio[][] = [];
  for (let i = 1; i <= n; i++) {
    const json = processJsonPath(jsonPath, i);
    console.log(`process ${i} of ${n}: deno task bench ${[...rest, "--json", json].join(" ")}`);
    const { code } = await new Deno.Command("deno", {
      args: ["task", "--quiet", "bench", ...rest, "--json", resolve(json)],
      cwd: ROOT,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (code !== 0) throw new Error(`bench process ${i} of ${n} exited with code ${code} (its output is above)`);
    const written = JSON.parse(await Deno.readTextFile(json)) as { torchReference: { ratios?: PairedRatio[] } | null };
    out.push(written.torchReference?.ratios ?? []);
  }
  return out;
}
