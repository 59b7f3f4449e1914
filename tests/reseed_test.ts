import { assertEquals } from "@std/assert";
import { type FinishedTrial, planReseed, reseedSchema } from "../lib/experiment/reseed.ts";
import "../lib/train/builtins.ts";

const trial = (runId: string, loss: string, lr: number, value: number | null): FinishedTrial => ({
  runId,
  gridValues: { lr, seed: 1 },
  config: { loss, dataset: "mnist", lr },
  value,
});

const FIRST_PHASE = [
  trial("bce-a", "bce", 1e-3, 12),
  trial("bce-b", "bce", 2e-4, 8),
  trial("bce-c", "bce", 1e-2, null), // diverged: not a candidate
  trial("hinge-a", "hinge", 1e-3, 5),
  trial("hinge-b", "hinge", 1e-4, 5), // a tie: the earlier run wins
  trial("hinge-c", "hinge", 1e-5, 30),
];

Deno.test("the seeds phase reruns each group's best configurations with every seed, lower FCD first", () => {
  const picks = planReseed({ top: 2, seeds: [1, 2, 3], by: ["loss"], metric: "fcd" }, FIRST_PHASE);
  assertEquals(picks.map((p) => [p.group, p.rank, p.from.runId]), [
    [{ loss: "bce" }, 1, "bce-b"],
    [{ loss: "bce" }, 2, "bce-a"],
    [{ loss: "hinge" }, 1, "hinge-a"],
    [{ loss: "hinge" }, 2, "hinge-b"],
  ]);
  assertEquals(picks[0]!.points, [{ lr: 2e-4, seed: 1 }, { lr: 2e-4, seed: 2 }, { lr: 2e-4, seed: 3 }]);
});

Deno.test("the seeds phase ranks a higher-is-better metric from the top, and one group without 'by'", () => {
  const picks = planReseed({ seeds: [7], metric: "recall" }, FIRST_PHASE);
  assertEquals(picks.map((p) => [p.group, p.from.runId, p.points]), [[{}, "hinge-c", [{ lr: 1e-5, seed: 7 }]]]);
});

Deno.test("a group with no finished run has no pick", () => {
  assertEquals(planReseed({ seeds: [1], by: ["loss"], metric: "fcd" }, [trial("x", "bce", 1, null)]), []);
});

Deno.test("reseed's schema refuses repeated seeds, an unknown metric and a top below 1", () => {
  for (
    const bad of [
      { seeds: [1, 1], metric: "fcd" },
      { seeds: [1], metric: "loss" },
      { seeds: [1], metric: "fcd", top: 0 },
      { seeds: [], metric: "fcd" },
    ]
  ) {
    assertEquals(reseedSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assertEquals(reseedSchema.safeParse({ seeds: [1, 2], metric: "fcd", by: ["loss"], top: 3 }).success, true);
});
