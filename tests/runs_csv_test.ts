import { assert, assertEquals } from "@std/assert";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import { readExperimentResults } from "../lib/results/read_results.ts";
import { runsCsv } from "../lib/results/runs_csv.ts";

/** A small RFC 4180 reader, to read the CSV back the way a CSV library would. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"', i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") (row.push(cell), cell = "");
    else if (c === "\n") (row.push(cell), rows.push(row), row = [], cell = "");
    else cell += c;
  }
  return rows;
}

Deno.test("runs.csv has one row per run: id, the config keys that vary, status, last losses and evaluation", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeFixtureExperiment(dir, {
    name: "csv",
    grid: { lr: [1e-2, 2e-4], noiseDim: [10, 64] },
    outcome: (_, i) => i === 3 ? "diverged" : "completed",
    evals: {},
  });
  const results = await readExperimentResults(root);
  const rows = parseCsv(runsCsv(results.runs));
  const [header, ...body] = rows as [string[], ...string[][]];
  assertEquals(header.slice(0, 5), ["id", "lr", "noiseDim", "status", "step"]);
  assert(header.includes("status") && header.includes("dLoss") && header.includes("eval_fcd"), header.join(","));
  assertEquals(body.length, 4);
  const at = (row: string[], name: string) => row[header.indexOf(name)]!;
  assertEquals(body.map((r) => at(r, "id")), results.runs.map((r) => r.id));
  assertEquals(body.map((r) => at(r, "status")), ["completed", "completed", "completed", "diverged"]);
  assertEquals(body.map((r) => Number(at(r, "lr"))), [1e-2, 1e-2, 2e-4, 2e-4]);
  for (const r of body) assert(Number.isFinite(Number(at(r, "eval_fcd"))), `fcd of ${at(r, "id")}`);
  assert(!header.includes("seed"), "a key no run varies is left out");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runs.csv quotes fields with commas and quotes", () => {
  const run = {
    id: 'a,"b"',
    dir: "",
    gridValues: {},
    config: null,
    status: null,
    state: "pending",
    steps: [],
    epochs: [],
    evals: [],
    samples: [],
    gif: null,
  } as const;
  assertEquals(
    runsCsv([{ ...run, steps: [], epochs: [], evals: [], samples: [] }]),
    'id,status,step\n"a,""b""",pending,\n',
  );
});
