/**
 * The search-budget view: a search's trials per grid cell, the exact expected best of k trials, and that its
 * charts render.
 */
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import type { RunData, RunState } from "../lib/results/read_results.ts";
import { bestTrialTable, budgetRows, cellKeys, expectedBest, trialRows } from "../lib/report/search_budget.ts";
import { budgetSpec, trialSpec } from "../lib/report/hparam_specs.ts";
import { renderSvg } from "../lib/report/svg.ts";

function trial(id: string, gridValues: Record<string, unknown>, fcd: number | null, state: RunState): RunData {
  return {
    id,
    dir: id,
    gridValues,
    config: null,
    status: null,
    state,
    steps: [],
    epochs: [],
    evals: fcd === null ? [] : [{ step: 100, epoch: null, values: { fcd } }],
    samples: [],
    gif: null,
  };
}

/** Every sequence of k draws from `values`, with replacement: the mean of their best. */
function bruteForceBest(values: number[], k: number, better: "lower" | "higher"): number {
  let sum = 0;
  let count = 0;
  const walk = (depth: number, best: number) => {
    if (depth === k) {
      sum += best;
      count++;
      return;
    }
    for (const v of values) walk(depth + 1, better === "lower" ? Math.min(best, v) : Math.max(best, v));
  };
  walk(0, better === "lower" ? Infinity : -Infinity);
  return sum / count;
}

Deno.test("the expected best of k trials is the mean best over every draw of k with replacement", () => {
  const values = [7.5, 3, 12, 3, 9];
  for (const better of ["lower", "higher"] as const) {
    const got = expectedBest(values, better);
    assertEquals(got.map((g) => g.k), [1, 2, 3, 4, 5]);
    for (const g of got) assertAlmostEquals(g.expected, bruteForceBest(values, g.k, better), 1e-9, `k ${g.k}`);
    for (const g of got) assert(3 <= g.lo && g.lo <= g.hi && g.hi <= 12, `${better} k ${g.k}: a band of the values`);
  }
  assertEquals(expectedBest([1, 3], "lower")[0], { k: 1, expected: 2, lo: 1, hi: 3 });
  // Of 5 draws from [3, 3, 7.5, 9, 12], all miss both 3s with probability (3/5)^5 < 10%: the best is 3 at 90%.
  assertEquals(expectedBest(values, "lower")[4]!.hi, 3);
  // The greatest, 12, is among 5 draws with probability 1 − (4/5)^5 ≈ 67%, 12 or 9 with 1 − (3/5)^5 ≈ 92%.
  assertEquals(expectedBest(values, "higher")[4]!.lo, 9);
  const lower = expectedBest(values, "lower");
  assert(lower.every((g, i) => i === 0 || g.expected <= lower[i - 1]!.expected), "more trials never expect worse");
});

const grid = { dataset: ["mnist", "fashion-mnist"], loss: ["bce", "wgan", "began"] };
const runs = [
  trial("m-bce-1", { dataset: "mnist", loss: "bce", lr: 1e-3, searched: "lr=0.001" }, 10, "completed"),
  trial("m-bce-2", { dataset: "mnist", loss: "bce", lr: 1e-4, searched: "lr=0.0001" }, 30, "pruned"),
  trial("m-bce-3", { dataset: "mnist", loss: "bce", lr: 1e-5 }, null, "pending"),
  trial("m-wgan-1", { dataset: "mnist", loss: "wgan", lr: 1e-3 }, 14, "completed"),
  trial("m-wgan-2", { dataset: "mnist", loss: "wgan", lr: 1e-4 }, 11, "completed"),
  trial("f-bce-1", { dataset: "fashion-mnist", loss: "bce", lr: 1e-3 }, 40, "completed"),
  trial("f-bce-2", { dataset: "fashion-mnist", loss: "bce", lr: 1e-4 }, 25, "completed"),
  trial("f-began-1", { dataset: "fashion-mnist", loss: "began", lr: 1e-3 }, 22, "completed"),
  // The seeds phase's restarts of a best setting are not trials of the search.
  trial("m-bce-seed1", { dataset: "mnist", loss: "bce", lr: 1e-3, seed: 1 }, 9, "completed"),
];

Deno.test("trials are the search's runs by cell, the dataset as columns; restarts and runs without a value left out", () => {
  assertEquals(cellKeys(grid), { column: "dataset", rows: ["loss"] });
  assertEquals(cellKeys({ loss: ["bce", "wgan"], lr: [1e-3] }), { column: null, rows: ["loss"] });
  const trials = trialRows(runs, grid, "fcd");
  assertEquals(trials.map((t) => t.run), [
    "m-bce-1",
    "m-bce-2",
    "m-wgan-1",
    "m-wgan-2",
    "f-bce-1",
    "f-bce-2",
    "f-began-1",
  ]);
  assertEquals(trials[0], {
    run: "m-bce-1",
    column: "mnist",
    row: "bce",
    value: 10,
    state: "completed",
    searched: "lr=0.001",
  });
  const budget = budgetRows(trials, "lower");
  assertEquals(
    [...new Set(budget.map((b) => `${b.column}/${b.row}`))],
    ["mnist/bce", "mnist/wgan", "fashion-mnist/bce"],
    "a cell of one trial has no budget curve",
  );
  assertEquals(
    budget.find((b) => b.column === "mnist" && b.row === "bce" && b.k === 2)?.expected,
    10 * 0.75 + 30 * 0.25,
  );
  const table = bestTrialTable(trials, "lower", "fcd");
  assertEquals(table.rows[0]!.cells, ["mnist · bce", "2", "1", "10", "completed", "20", "lr=0.001"]);
  assertEquals(table.rows.find((r) => r.cells[0] === "mnist · wgan")!.cells[3], "11", "the best is the least FCD");
});

Deno.test("the trial distribution and the budget curves render, one column per dataset", async () => {
  const trials = trialRows(runs, grid, "fcd");
  const keys = cellKeys(grid);
  for (
    const spec of [
      trialSpec(trials, keys, "fcd", "lower"),
      budgetSpec(budgetRows(trials, "lower"), keys, "fcd", "lower"),
    ]
  ) {
    const svg = await renderSvg(spec);
    assert(svg.includes("mnist") && svg.includes("fashion-mnist"), "a column per dataset");
    assert(svg.includes("bce"), "rows or colours name the loss");
    assert(svg.includes("<path"), "drew marks");
  }
});
