import { assert, assertEquals } from "@std/assert";
import { writeFixtureExperiment } from "../lib/report/fixtures.ts";
import { readExperimentResults } from "../lib/report/read_results.ts";
import { chooseHeatmapDims, chooseLayout, gridView } from "../lib/report/grid_view.ts";
import { curveRows } from "../lib/report/curve_rows.ts";
import { compileSpec } from "../lib/report/compile.ts";
import { type ChartSpec, healthSpec, heatmapSpec, lossSpec, metricsSpec } from "../lib/report/specs.ts";
import { summarizeGroups } from "../lib/report/final_values.ts";
import { renderSvg } from "../lib/report/svg.ts";
import type { FixtureOptions } from "../lib/report/fixtures.ts";

async function specsFor(
  opts: FixtureOptions,
): Promise<Record<string, ChartSpec>> {
  const dir = await Deno.makeTempDir();
  try {
    const root = await writeFixtureExperiment(dir, {
      epochs: 2,
      stepsPerEpoch: 40,
      ...opts,
    });
    const { runs, experiment } = await readExperimentResults(root);
    const view = gridView(experiment.grid);
    const layout = chooseLayout(view);
    const heat = chooseHeatmapDims(view);
    const curve = { layout, seeds: view.seed };
    const loss = curveRows(runs, view, layout, {
      source: "steps",
      metrics: [["dLoss", "D loss"], ["gLoss", "G loss"]],
    });
    const health = curveRows(runs, view, layout, {
      source: "steps",
      metrics: [["dReal", "D(x)"], ["dFake", "D(G(z))"]],
    });
    const evals = curveRows(runs, view, layout, {
      source: "evals",
      metrics: [["fid", "fid"]],
    });
    const groups = summarizeGroups(runs, view);
    const cells = groups.map((g) => ({
      x: heat.x === null ? "" : String(g.gridValues[heat.x.key]),
      y: heat.y === null ? "" : String(g.gridValues[heat.y.key]),
      facet: "all",
      mean: g.stats.gLoss?.mean ?? null,
      text: "x",
      hasValue: g.stats.gLoss !== undefined,
      detail: g.label,
    }));
    return {
      loss: lossSpec(loss, curve),
      lossLog: lossSpec(loss, { ...curve, log: true }),
      health: healthSpec(health, curve),
      eval: metricsSpec(evals, curve),
      heatmap: heatmapSpec(
        cells,
        { x: heat.x, y: heat.y, facetTitle: null },
        "gLoss",
      ),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function assertCleanSpecs(specs: Record<string, ChartSpec>) {
  for (const [name, spec] of Object.entries(specs)) {
    const { warnings } = compileSpec(spec);
    assertEquals(warnings, [], `${name} compiled with warnings`);
    const svg = await renderSvg(spec);
    assert(svg.startsWith("<svg"), `${name} did not render to SVG`);
  }
}

const grids: [string, Record<string, unknown[]>][] = [
  ["a single run (empty grid)", {}],
  ["a 1-dimensional grid", { lr: [1e-3, 2e-4, 5e-5] }],
  ["a 2-dimensional grid with seeds", {
    lr: [1e-2, 2e-4],
    noiseDim: [10, 100],
    seed: [1, 2],
  }],
  ["a 3-dimensional grid", {
    lr: [1e-2, 2e-4],
    noiseDim: [10, 100],
    loss: ["bce", "lsgan"],
  }],
];

for (const [name, grid] of grids) {
  Deno.test(`chart specs compile without Vega-Lite warnings for ${name}`, async () => {
    await assertCleanSpecs(
      await specsFor({ name: "g", grid, evalMetrics: ["fid"] }),
    );
  });
}

Deno.test("chart specs compile without warnings when runs lack dReal, dFake and eval lines", async () => {
  const specs = await specsFor({
    name: "missing",
    grid: { lr: [1e-3, 2e-4] },
    dropFields: ["dReal", "dFake", "dAcc"],
  });
  await assertCleanSpecs(specs);
});

Deno.test("chart specs compile without warnings when every run is pending", async () => {
  await assertCleanSpecs(
    await specsFor({
      name: "empty",
      grid: { lr: [1, 2] },
      outcome: () => "pending",
    }),
  );
});

Deno.test("lossSpec puts one facet column per facet value and one row per loss", async () => {
  const specs = await specsFor({
    name: "f",
    grid: { lr: [1e-2, 2e-4], noiseDim: [10, 100, 200] },
  });
  const vconcat = specs.loss?.vconcat as {
    facet: { column: { title: string; sort: string[] } };
  }[];
  assertEquals(vconcat.length, 2);
  assertEquals(vconcat[0]?.facet.column.title, "noiseDim");
  assertEquals(vconcat[0]?.facet.column.sort, ["10", "100", "200"]);
});

Deno.test("compileSpec() captures Vega-Lite warnings instead of printing them", () => {
  const { warnings } = compileSpec({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { values: [{ a: "x" }] },
    mark: "bar",
    encoding: { shape: { field: "a", type: "nominal" } },
  });
  assert(warnings.length > 0);
});
