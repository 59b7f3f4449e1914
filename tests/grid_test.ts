import { assertEquals, assertNotEquals } from "@std/assert";
import { resolveConfig } from "../lib/experiment/config.ts";
import { expandGrid } from "../lib/experiment/grid.ts";
import { runId } from "../lib/experiment/run_id.ts";
import "../lib/train/builtins.ts";

Deno.test("expandGrid() gives the cartesian product with the last key fastest", () => {
  assertEquals(expandGrid({ lr: [0.01, 0.0002], noiseDim: [10, 100] }), [
    { lr: 0.01, noiseDim: 10 },
    { lr: 0.01, noiseDim: 100 },
    { lr: 0.0002, noiseDim: 10 },
    { lr: 0.0002, noiseDim: 100 },
  ]);
});

Deno.test("expandGrid() of an empty grid is one empty point", () => {
  assertEquals(expandGrid({}), [{}]);
});

Deno.test("expandGrid() of 2 × 2 × 2 × 2 values gives 16 distinct points", () => {
  const points = expandGrid({
    lr: [1, 2],
    noiseDim: [10, 100],
    labelSmoothing: [1, 0.9],
    seed: [1, 2],
  });
  assertEquals(points.length, 16);
  assertEquals(new Set(points.map((p) => JSON.stringify(p))).size, 16);
});

Deno.test("resolveConfig() lets lr set both networks' rates and lrD/lrG override it", () => {
  const both = resolveConfig({ lr: 0.01 });
  assertEquals([both.lrD, both.lrG], [0.01, 0.01]);
  const split = resolveConfig({ lr: 0.01, lrG: 0.001 });
  assertEquals([split.lrD, split.lrG], [0.01, 0.001]);
  const later = resolveConfig({ lrD: 0.5 }, { lr: 0.02 });
  assertEquals([later.lrD, later.lrG], [0.02, 0.02]);
});

Deno.test("resolveConfig() layers later values over earlier ones and the defaults", () => {
  const c = resolveConfig({ batchSize: 64, noiseDim: 10 }, { noiseDim: 64 });
  assertEquals([c.batchSize, c.noiseDim, c.dataset], [64, 64, "mnist"]);
});

Deno.test("runId() is a readable slug plus a hash that follows the whole config", async () => {
  const a = await runId(
    { lr: 0.01, noiseDim: 10 },
    resolveConfig({ lr: 0.01, noiseDim: 10 }),
  );
  const again = await runId(
    { lr: 0.01, noiseDim: 10 },
    resolveConfig({ lr: 0.01, noiseDim: 10 }),
  );
  const otherBase = await runId(
    { lr: 0.01, noiseDim: 10 },
    resolveConfig({ lr: 0.01, noiseDim: 10, epochs: 9 }),
  );
  assertEquals(a, again);
  assertEquals(a.replace(/_[0-9a-f]{6}$/, ""), "lr-0.01_noiseDim-10");
  assertNotEquals(a, otherBase);
});

Deno.test("runId() keeps only filename-safe characters", async () => {
  const id = await runId({
    pixelRange: "[-1,1]",
    sampleGrid: [4, 6],
    arch: "<script>",
  }, resolveConfig({}));
  assertEquals(/^[A-Za-z0-9.+_-]+$/.test(id), true, id);
});
