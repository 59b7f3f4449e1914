/** A pruned sweep for the rung view's tests and the README's screenshot: fixture runs plus an ASHA book. */
import { join } from "@std/path";
import { writeFixtureExperiment } from "./_report_fixtures.ts";

/**
 * Write `dir/asha/`: eight trials over lr, rungs at 100, 200 and 400 of a 400-step budget, half kept at each
 * rung; the trial ranked 4th at the first rung is pruned and later promoted. Pruned runs' `status.json` say so.
 * @returns The folder and its run ids (best first by the synthetic metric).
 */
export async function writeRungFixture(dir: string): Promise<{ root: string; runs: string[] }> {
  const lrs = [2e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2];
  const root = await writeFixtureExperiment(dir, {
    name: "asha",
    grid: { lr: lrs, beta1: [0.5] },
    epochs: 4,
    stepsPerEpoch: 100,
    evals: {},
  });
  const runs = JSON.parse(await Deno.readTextFile(join(root, "experiment.json"))).runs as string[];
  // the synthetic metric: best near lr 1e-3
  const fcd = (i: number, rung: number) => 40 + 30 * Math.abs(Math.log10(lrs[i]! / 1e-3)) * 3 + 4000 / rung;
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
      const path = join(root, runs[i]!, "status.json");
      const status = JSON.parse(await Deno.readTextFile(path));
      const pruned = { rung, metric: "fcd", value: fcd(i, rung), rank: alive.indexOf(i), of: alive.length };
      await Deno.writeTextFile(path, JSON.stringify({ ...status, status: "pruned", step: rung, pruned }));
    }
    alive = alive.slice(0, keep);
  }
  // the 4th at the first rung was pruned there, and promoted once the rung ranked it among the best after all
  const fourth = runs[order[4]!]!;
  lines.push({ kind: "promote", runId: fourth, rung: 100, value: fcd(order[4]!, 100), rank: 3, of: 8, time });
  await Deno.writeTextFile(join(root, "rungs.jsonl"), lines.map((l) => JSON.stringify(l) + "\n").join(""));
  return { root, runs: order.map((i) => runs[i]!) };
}
