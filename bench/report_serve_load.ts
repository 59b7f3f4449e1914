/**
 * Measure the live report's server while it follows a sweep: a synthetic 20-run result folder whose runs append
 * step lines, one page connected to the event stream, the server in its own process (as `deno task report:serve`
 * runs it) sampled from /proc for resident memory and CPU. Then one run's log grows past 100 MB.
 *
 *   deno run --allow-read --allow-write=/tmp --allow-run=deno,cat --allow-net=127.0.0.1 bench/report_serve_load.ts \
 *     [--seconds 60] [--lines-per-second 2] [--big-mb 100]
 *
 * Linux only (/proc). Writes nothing outside a temp folder, which it removes.
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { join } from "@std/path";
import { writeRunningWideSweep } from "../tests/_report_fixtures.ts";
import { EventReader, freePort } from "../tests/_serve_helpers.ts";

const args = parseArgs(Deno.args, { string: ["seconds", "lines-per-second", "big-mb"] });
const seconds = Number(args.seconds ?? 60);
const rate = Number(args["lines-per-second"] ?? 2);
const bigMb = Number(args["big-mb"] ?? 100);

/**
 * Resident memory (MiB) and CPU seconds so far of a process, from /proc through `cat` (Deno grants another
 * process's /proc files only with --allow-all). CPU times are in clock ticks of 1/100 s (Linux's USER_HZ).
 */
async function sample(pid: number): Promise<{ rssMiB: number; cpuS: number }> {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`, `/proc/${pid}/status`] }).output();
  const text = new TextDecoder().decode(out.stdout);
  const stat = text.split(") ")[1]?.split(" ") ?? [];
  const rss = Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? 0) / 1024;
  return { rssMiB: rss, cpuS: (Number(stat[11] ?? 0) + Number(stat[12] ?? 0)) / 100 };
}

const dir = await Deno.makeTempDir({ prefix: "serve-load-" });
const { root, runs } = await writeRunningWideSweep(dir, "load", 3);
const port = freePort();
const child = new Deno.Command("deno", {
  args: [
    "run",
    "--allow-read",
    `--allow-net=127.0.0.1:${port}`,
    "tasks/report.ts",
    root,
    "--serve",
    "--port",
    `${port}`,
  ],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let banner = "";
while (!banner.includes("Serving")) {
  const { value, done } = await out.read();
  if (done) throw new Error("the server exited");
  banner += value;
}
const events = new EventReader((await fetch(`http://127.0.0.1:${port}/events`)).body!);
await events.next();
const pending: Promise<unknown> = (async () => {
  try {
    while (true) await events.next(600_000);
  } catch {
    // the stream ended
  }
})();

const start = await sample(child.pid);
const t0 = performance.now();
let step = 10_000;
let peak = start.rssMiB;
console.log(`${runs.length} runs, ${rate} step lines/s per run, ${seconds} s; server pid ${child.pid}`);
console.log(`start: RSS ${start.rssMiB.toFixed(1)} MiB`);
while (performance.now() - t0 < seconds * 1000) {
  step++;
  const line = (run: string) =>
    JSON.stringify({ kind: "step", step, epoch: 3, dLoss: 1 + Math.random(), gLoss: 2 + Math.random(), run }) + "\n";
  await Promise.all(runs.map((r) => Deno.writeTextFile(join(root, r, "metrics.jsonl"), line(r), { append: true })));
  await new Promise((r) => setTimeout(r, 1000 / rate));
  peak = Math.max(peak, (await sample(child.pid)).rssMiB);
}
const end = await sample(child.pid);
const wall = (performance.now() - t0) / 1000;
console.log(
  `following: RSS ${end.rssMiB.toFixed(1)} MiB (peak ${peak.toFixed(1)}), CPU ${
    (100 * (end.cpuS - start.cpuS) / wall).toFixed(1)
  }% of one core over ${wall.toFixed(0)} s, ${(events.bytes / 1024).toFixed(0)} KiB sent to the page`,
);

// one run's log past bigMb: appended in 8 MiB pieces, as fast as the disk takes them
const big = join(root, runs[0]!, "metrics.jsonl");
const piece = Array.from(
  { length: 80_000 },
  (_, i) => JSON.stringify({ kind: "step", step: 20_000 + i, epoch: 3, dLoss: 1.2345678, gLoss: 2.3456789, ms: 12.5 }),
).join(
  "\n",
) + "\n";
const pieceBytes = new TextEncoder().encode(piece).length;
const pieces = Math.ceil(bigMb * 1024 * 1024 / pieceBytes);
const b0 = await sample(child.pid);
const tb = performance.now();
let bigPeak = b0.rssMiB;
for (let i = 0; i < pieces; i++) {
  await Deno.writeTextFile(big, piece, { append: true });
  bigPeak = Math.max(bigPeak, (await sample(child.pid)).rssMiB);
}
const size = (await Deno.stat(big)).size;
// the server has read it all once its /status counts every byte of every log
let total = 0;
for (const r of runs) total += (await Deno.stat(join(root, r, "metrics.jsonl"))).size;
while (true) {
  const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
  bigPeak = Math.max(bigPeak, (await sample(child.pid)).rssMiB);
  if (status.bytesRead >= total) break;
  await new Promise((r) => setTimeout(r, 250));
}
const b1 = await sample(child.pid);
console.log(
  `a ${(size / 1024 / 1024).toFixed(0)} MiB log: caught up in ${((performance.now() - tb) / 1000).toFixed(0)} s, CPU ${
    (b1.cpuS - b0.cpuS).toFixed(1)
  } s, RSS peak ${bigPeak.toFixed(1)} MiB, after ${b1.rssMiB.toFixed(1)} MiB`,
);

child.kill("SIGINT");
await child.status;
await events.cancel().catch(() => {});
await pending.catch(() => {});
await Deno.remove(dir, { recursive: true });
Deno.exit(0);
