/** A pruned sweep for the rung view's tests and the README's screenshot: fixture runs plus an ASHA book. */
import { join } from "@std/path";
import { writeFixtureExperiment } from "./_report_fixtures.ts";

/**
 * Write `dir/asha/`: eight trials over lr (times `seeds`, when given), rungs at 100, 200 and 400 of a 400-step
 * budget, half kept at each rung; the trial ranked 5th at the first rung is pruned and later promoted. Pruned
 * runs' `status.json` say so.
 * @returns The folder and its run ids (best first by the synthetic metric).
 */
export async function writeRungFixture(
  dir: string,
  seeds: readonly number[] = [],
): Promise<{ root: string; runs: string[] }> {
  const lrs = [2e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2];
  const root = await writeFixtureExperiment(dir, {
    name: "asha",
    grid: seeds.length ? { lr: lrs, seed: [...seeds] } : { lr: lrs, beta1: [0.5] },
    epochs: 4,
    stepsPerEpoch: 100,
    evals: {},
  });
  const runs = JSON.parse(await Deno.readTextFile(join(root, "experiment.json"))).runs as string[];
  if (seeds.length) {
    // as a search would draw it: beta1 differs between configs (not between the seeds of one)
    for (const [i, id] of runs.entries()) {
      const path = join(root, id, "config.json");
      const file = JSON.parse(await Deno.readTextFile(path));
      file.config.beta1 = [0.5, 0.1, 0.9, 0.3, 0.7, 0, 0.5, 0.8][Math.floor(i / seeds.length) % 8];
      await Deno.writeTextFile(path, JSON.stringify(file));
    }
  }
  // the synthetic metric: best near lr 1e-3
  const lrOf = (i: number) => lrs[seeds.length ? Math.floor(i / seeds.length) : i]!;
  const fcd = (i: number, rung: number) =>
    40 + 90 * Math.abs(Math.log10(lrOf(i) / 1e-3)) + 4000 / rung + (seeds.length ? 7 * (i % seeds.length) : 0);
  const order = runs.map((_, i) => i).sort((a, b) => fcd(a, 100) - fcd(b, 100));
  const lines: unknown[] = [];
  const time = "2026-12-02T12:00:00.000Z";
  let alive = order;
  for (const rung of [100, 200, 400]) {
    const keep = Math.max(1, Math.floor(alive.length / 2));
    alive.forEach((i, rank) => {
      lines.push({
        kind: rank < keep ? "continue" : "prune",
        runId: runs[i],
        rung,
        value: fcd(i, rung),
        rank,
        of: alive.length,
        time,
      });
    });
    for (const i of alive.slice(keep)) {
      // a pruned trial logged nothing past its rung
      const log = join(root, runs[i]!, "metrics.jsonl");
      const kept = (await Deno.readTextFile(log)).split("\n").filter((l) => l !== "" && !(JSON.parse(l).step > rung));
      await Deno.writeTextFile(log, kept.map((l) => l + "\n").join(""));
      const path = join(root, runs[i]!, "status.json");
      const status = JSON.parse(await Deno.readTextFile(path));
      const pruned = { rung, metric: "fcd", value: fcd(i, rung), rank: alive.indexOf(i), of: alive.length };
      await Deno.writeTextFile(path, JSON.stringify({ ...status, status: "pruned", step: rung, pruned }));
    }
    alive = alive.slice(0, keep);
  }
  // the 4th at the first rung was pruned there, and promoted once the rung ranked it among the best after all
  const fourth = runs[order[4]!]!;
  lines.push({ kind: "promote", runId: fourth, rung: 100, value: fcd(order[4]!, 100), rank: 3, of: runs.length, time });
  await Deno.writeTextFile(join(root, "rungs.jsonl"), lines.map((l) => JSON.stringify(l) + "\n").join(""));
  return { root, runs: order.map((i) => runs[i]!) };
}

// `deno run --allow-read --allow-write=results tests/_rung_fixture.ts results/report-views-demo`: the synthetic
// pruned search (two seeds per config) behind docs/report-views.png.
if (import.meta.main) {
  const { root } = await writeRungFixture(Deno.args[0] ?? "results/report-views-demo", [1, 2]);
  console.log(`Wrote ${root}`);
}
