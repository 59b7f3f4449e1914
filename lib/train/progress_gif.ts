/**
 * The animated GIF of a run's fixed-noise sample grids (seed 000's
 * "dcgan.gif"), from the grids its log lists.
 * @module
 */
import { join } from "@std/path";
import { writeFileAtomic } from "../atomic_write.ts";
import { parseJsonl } from "../results/jsonl.ts";
import { pngsToGif } from "./sample_grid.ts";

/** Assemble the run's sample grids, in order, into `samples/progress.gif`. */
export async function writeProgressGif(runDir: string): Promise<void> {
  const lines = parseJsonl(await Deno.readTextFile(join(runDir, "metrics.jsonl"))).records;
  const paths = [
    ...new Set(
      lines.filter((l) => l.kind === "sample" && l.path).map((l) => l.path!),
    ),
  ];
  const frames = await Promise.all(
    paths.map((p) => Deno.readFile(join(runDir, p))),
  );
  if (frames.length > 1) {
    await writeFileAtomic(join(runDir, "samples", "progress.gif"), pngsToGif(frames));
  }
}
