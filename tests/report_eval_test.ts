import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import { buildReport, defaultMetric } from "../lib/report/build_report.ts";
import { readExperimentResults } from "../lib/results/read_results.ts";
import { chartedEvalMetrics, consistentEvals, lastClassHist } from "../lib/report/eval_info.ts";
import { evalMetricNames } from "../lib/report/final_values.ts";

async function withFixture<T>(
  opts: Parameters<typeof writeFixtureExperiment>[1],
  fn: (root: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(await writeFixtureExperiment(dir, { epochs: 3, stepsPerEpoch: 40, ...opts }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("realistic eval lines are read with their class histogram and classifier", async () => {
  await withFixture({ name: "read", grid: { lr: [1e-2, 2e-4] }, evals: {} }, async (root) => {
    const { runs } = await readExperimentResults(root);
    assertEquals(chartedEvalMetrics(evalMetricNames(runs)), [
      "fcd",
      "kid",
      "cis",
      "classesCovered",
      "klUniform",
      "precision",
      "recall",
    ]);
    assertEquals(runs[0]?.evals[0]?.strings?.classifier, "cedb162e4113");
    const collapsed = lastClassHist(runs[0]!);
    const healthy = lastClassHist(runs[1]!);
    assertEquals(collapsed?.shares.length, 10);
    assert(Math.max(...collapsed!.shares) > 0.8, "lr=0.01 collapses in the fixture");
    assertEquals(healthy?.covered, 10);
    assertEquals(defaultMetric(runs), "fcd");
  });
});

Deno.test("defaultMetric() never picks evalN, evalSeconds or kidStd", async () => {
  await withFixture(
    { name: "book", grid: { lr: [1e-3] }, evalMetrics: ["evalN", "evalSeconds", "kidStd", "kid"] },
    async (root) => {
      const { runs } = await readExperimentResults(root);
      assertEquals(defaultMetric(runs), "kid");
    },
  );
});

Deno.test("a report of runs evaluated with different classifiers and N warns that FCD is not comparable", async () => {
  await withFixture({
    name: "mixed",
    grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100] },
    evals: { classifier: (i) => i === 2 ? "4db884a9019e" : "cedb162e4113", n: (i) => i === 3 ? 2000 : 10_000 },
  }, async (root) => {
    const result = await buildReport({ resultsDir: root, chartDir: null });
    const warnings = result.notes.filter((n) => n.startsWith("warning: "));
    assertEquals(warnings.length, 2, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "2 different classifiers (cedb162e4113: 3 runs; 4db884a9019e: 1 run)");
    assertStringIncludes(warnings[0]!, "not comparable");
    assertStringIncludes(warnings[1]!, "evalN 10000: 3 runs; evalN 2000: 1 run");
    assertStringIncludes(warnings[1]!, "(KID, unbiased, is)");
    const html = await Deno.readTextFile(result.html);
    assertStringIncludes(html, "2 different classifiers");
    assertStringIncludes(html, "Lower is better for fcd, kid, klUniform");
    assertStringIncludes(html, "KID, the kernel distance on the same features, is unbiased");
    assertEquals(result.charts, [
      "loss-linear",
      "loss-log",
      "health",
      "eval",
      "heatmap",
      "parallel",
      "scatter",
      "class-hist",
    ]);
  });
});

Deno.test("runs of two datasets, each evaluated with its own classifier, get no classifier warning", async () => {
  await withFixture({
    name: "two-datasets",
    grid: { dataset: ["mnist", "fashion-mnist"] },
    evals: { classifier: (i) => i === 0 ? "cedb162e4113" : "f294d459f726" },
  }, async (root) => {
    const result = await buildReport({ resultsDir: root, chartDir: null });
    assertEquals(result.notes.filter((n) => n.includes("classifiers")), []);
  });
});

Deno.test("runs evaluated alike get no warning", async () => {
  await withFixture({ name: "alike", grid: { lr: [1e-2, 2e-4] }, evals: {} }, async (root) => {
    const result = await buildReport({ resultsDir: root, chartDir: null });
    assertEquals(result.notes.filter((n) => n.startsWith("warning: ")), []);
  });
});

Deno.test("a run re-evaluated with another classifier charts only its latest evaluations, and says so", async () => {
  await withFixture({ name: "again", grid: { lr: [2e-4, 1e-3] }, evals: {} }, async (root) => {
    const { experiment } = await readExperimentResults(root);
    const metrics = join(root, experiment.runs[0]!, "metrics.jsonl");
    const again = {
      kind: "eval",
      step: 120,
      epoch: 3,
      fcd: 55.5,
      cis: 8,
      classesCovered: 10,
      klUniform: 0.01,
      classHist: Array(10).fill("0.1000").join(","),
      evalN: 10000,
      evalSeconds: 18,
      classifier: "0123456789ab",
    };
    await Deno.writeTextFile(metrics, JSON.stringify(again) + "\n", { append: true });
    const read = await readExperimentResults(root);
    const { runs, warnings } = consistentEvals(read.runs);
    assertEquals(runs[0]?.evals.map((p) => p.values.fcd), [55.5]);
    assertEquals(runs[1]?.evals.length, 3);
    assertEquals(warnings.length, 2, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, "2 different classifiers");
    assertStringIncludes(warnings[1]!, "evaluated again");
    assertStringIncludes(warnings[1]!, "left out: classifier cedb162e4113, N=10000");
  });
});
