import { assert, assertEquals, assertMatch } from "@std/assert";
import { checkClaims, type Claim } from "../lib/claims/claims.ts";
import { Runs } from "../lib/claims/run_query.ts";
import { formatStat, stat } from "../lib/claims/summary_stats.ts";
import { readExperimentResults, type RunData } from "../lib/results/read_results.ts";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import { entryFromResults, renderSummary } from "../lib/report/reproduce_summary.ts";

Deno.test("stat() gives mean, sample sd and count", () => {
  assertEquals(stat([1, 3]), { mean: 2, sd: Math.SQRT2, n: 2 });
  assertEquals(formatStat(stat([0.5])), "0.500");
  assertEquals(formatStat(stat([])), "no data");
});

Deno.test("Runs.where() filters by resolved config and final() reads the last logged value", async () => {
  const dir = await Deno.makeTempDir();
  const exp = await writeFixtureExperiment(dir, {
    name: "claims",
    grid: { lr: [0.01, 0.0002], seed: [1, 2] },
    outcome: (g) => (g.lr === 0.01 ? "diverged" : "completed"),
    evalMetrics: ["fcd"],
  });
  const runs = new Runs((await readExperimentResults(exp)).runs);
  assertEquals(runs.where({ lr: 0.01 }).list.length, 2);
  assertEquals(runs.where({ lr: 0.01 }).count("diverged"), 2);
  assertEquals(runs.where({ lr: 0.0002 }).final("fcd").length, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkClaims() returns each verdict and turns a throwing check into inconclusive", async () => {
  const dir = await Deno.makeTempDir();
  const exp = await writeFixtureExperiment(dir, { name: "claims2", grid: { lr: [0.01, 0.0002] } });
  const claims: Claim[] = [
    {
      id: "ok",
      text: "two runs",
      method: "count",
      check: (r) => ({ verdict: r.list.length === 2 ? "reproduced" : "not reproduced", measured: `${r.list.length}` }),
    },
    {
      id: "boom",
      text: "a broken check",
      method: "throws",
      check: () => {
        throw new Error("no such metric");
      },
    },
  ];
  const checked = await checkClaims(claims, exp);
  assertEquals(checked.map((c) => c.verdict), ["reproduced", "inconclusive"]);
  assertMatch(checked[1]!.measured, /the check failed: no such metric/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the reproduce summary escapes claim text and shows one badge per verdict", () => {
  const html = renderSummary([{
    name: "blog-x",
    description: "<script>alert(1)</script>",
    report: "blog-x/report.html",
    claims: [{ id: "a", text: "<b>bold</b>", method: "m", verdict: "not reproduced", measured: "1 < 2" }],
    runs: { completed: 1, diverged: 0, failed: 0 },
    seconds: 3,
    trainingSeconds: 600,
  }], { profile: "quick", backend: "wasm", seconds: 3, date: "2026-11-23" });
  assertEquals(html.includes("<script>alert"), false);
  assertMatch(html, /&lt;b&gt;bold&lt;\/b&gt;/);
  assertMatch(html, /class="badge s-not-reproduced">not reproduced</);
  assertMatch(html, /href="blog-x\/report\.html"/);
  // Training time comes from the runs, not from this call (which found them done).
  assertMatch(html, /10m00s of training over all runs \(3s in this call\)/);
});

Deno.test("blog-001's claim counts a 1e-2 run whose classifier recognises nothing as failed, even under 2× fcd", async () => {
  const { default: blog001 } = await import("../experiments/blog-001-pytorch-fashion.ts");
  const run = (lr: number, seed: number, fcd: number, cis: number, classesCovered: number): RunData => ({
    id: `lr-${lr}_seed-${seed}`,
    dir: "",
    gridValues: { lr, seed },
    config: { config: { lr, seed } } as unknown as RunData["config"],
    status: null,
    state: "completed",
    steps: [],
    epochs: [],
    evals: [{ step: 9000, epoch: 15, values: { fcd, cis, classesCovered } }],
    samples: [],
    gif: null,
  });
  const good = [run(1e-4, 1, 143, 2.84, 8), run(1e-4, 2, 131, 2.88, 8), run(2e-4, 1, 137, 2.77, 9)];
  const check = blog001.claims![0]!.check;
  // The numbers of the quick run: seed 1 collapsed to one class, seed 2 is speckle at 1.86× the fcd.
  const speckle = check(new Runs([...good, run(1e-2, 1, 307, 1.01, 1), run(1e-2, 2, 248, 1.18, 5)]));
  assertEquals(speckle.verdict, "reproduced");
  // A 1e-2 run as good as the others on both counts: the claim does not hold.
  const trains = check(new Runs([...good, run(1e-2, 1, 307, 1.01, 1), run(1e-2, 2, 150, 2.6, 8)]));
  assertEquals(trains.verdict, "not reproduced");
  // Before the good runs cover 8 classes nothing is decided.
  const early = check(new Runs([run(1e-4, 1, 300, 1.5, 4), run(1e-2, 1, 700, 1.0, 1)]));
  assertEquals(early.verdict, "inconclusive");
});

Deno.test("blog-000's claim names the step its numbers were evaluated at and decides only at epoch 50", async () => {
  const { default: blog000 } = await import("../experiments/blog-000-tf-dcgan.ts");
  const run = (trainedTo: number, evals: [number, number, number][], loggedTo = trainedTo): RunData => ({
    id: "run",
    dir: "",
    gridValues: {},
    config: { config: {} } as unknown as RunData["config"],
    status: { status: "stopped", step: trainedTo, epoch: 0, totalSteps: 11_700, updated: "", seconds: 1 },
    state: "stopped",
    steps: [{ step: loggedTo, epoch: 0, values: {} }],
    epochs: [],
    evals: evals.map(([step, cis, classesCovered]) => ({ step, epoch: 0, values: { cis, classesCovered } })),
    samples: [],
    gif: null,
  });
  const check = blog000.claims![0]!.check;
  // Stopped between evaluations: the numbers are the epoch-5 evaluation's, not the step the run stands at.
  const midway = check(new Runs([run(2204, [[1170, 4.267, 9]])]));
  assertEquals(midway.verdict, "inconclusive");
  assertMatch(midway.measured, /cis 4\.27, classes covered 9\.0 at step 1170's evaluation \(trained to step 2204\)/);
  // Still training: status.json stands at the last checkpoint, the log has gone on.
  const running = check(new Runs([run(2340, [[1170, 4.267, 9], [2340, 4.293, 8]], 2500)]));
  assertEquals(running.verdict, "inconclusive");
  assertMatch(running.measured, /cis 4\.29, classes covered 8\.0 at step 2340's evaluation \(trained to step 2500\)/);
  const short = check(new Runs([run(11_700, [[1170, 4.267, 9], [11_700, 5.1, 9]])]));
  assertEquals(short.verdict, "not reproduced");
  assertMatch(short.measured, /at step 11700$/);
  assertEquals(check(new Runs([run(11_700, [[11_700, 6.4, 9]])])).verdict, "reproduced");
});

Deno.test("a post that reproduce --only left out keeps its summary entry, its claims checked on the results it has", async () => {
  const out = await Deno.makeTempDir();
  await writeFixtureExperiment(out, {
    name: "blog-y",
    grid: { lr: [1, 2, 3] },
    outcome: (_, i) => i === 0 ? "completed" : i === 1 ? "diverged" : "pending",
  });
  const claims: Claim[] = [{
    id: "n",
    text: "t",
    method: "m",
    check: (r) => ({ verdict: "inconclusive", measured: `${r.list.filter((x) => x.state !== "pending").length} runs` }),
  }];
  const entry = await entryFromResults({ name: "blog-y", description: "d", claims }, out, []);
  assertEquals(entry?.claims.map((c) => [c.verdict, c.measured]), [["inconclusive", "2 runs"]]);
  assertEquals(entry?.runs, { completed: 1, diverged: 1, failed: 0 });
  assert((entry?.trainingSeconds ?? 0) > 0);
  const html = renderSummary([entry!], { profile: "quick", backend: "wasm", seconds: 1, date: "2026-11-29" });
  assertMatch(html, /not trained in this call: claims checked on earlier results/);
  assertEquals(await entryFromResults({ name: "blog-none", claims }, out, []), null);
  // Results from other settings (another profile, --set) than this call's are flagged as such.
  const other = await entryFromResults({ name: "blog-y", claims }, out, ["lr-9_abcdef"]);
  assertMatch(other?.fromEarlierResults ?? "", /which lack 1 of the 1 runs this call's settings would train/);
  await Deno.remove(out, { recursive: true });
});
