/**
 * The live report's pieces without a server: following a growing metrics.jsonl by offset, a result folder that
 * gains runs, and the per-page feed that sends only what changed.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { JsonlFollower } from "../lib/report/jsonl_follower.ts";
import { Decimated } from "../lib/report/decimated.ts";
import { LiveResults } from "../lib/report/live_results.ts";
import { htmlChange, type LiveModel, nameDatasets, PageFeed } from "../lib/report/live_diff.ts";
import { writeFixtureExperiment } from "./_report_fixtures.ts";
import type { ChartSpec } from "../lib/report/specs.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "report-live-" });
}

Deno.test("JsonlFollower reads only appended lines and holds a torn last line until its newline", async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, "metrics.jsonl");
    const f = new JsonlFollower(path);
    assertEquals((await f.read()).records, [], "a file that does not exist yet reads as empty");
    await Deno.writeTextFile(path, '{"step":1}\n{"step":2}\n{"ste');
    assertEquals((await f.read()).records, [{ step: 1 }, { step: 2 }]);
    assertEquals(f.offset, new TextEncoder().encode('{"step":1}\n{"step":2}\n{"ste').length);
    assertEquals((await f.read()).records, [], "nothing new: nothing read");
    await Deno.writeTextFile(path, 'p":3}\nnot json\n{"step":4}\n', { append: true });
    const next = await f.read();
    assertEquals(next.records, [{ step: 3 }, { step: 4 }]);
    assertEquals(next.bad, [4], "the bad line is named by its line number in the file");
    assertEquals(next.restarted, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JsonlFollower starts again when the file is truncated or deleted", async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, "metrics.jsonl");
    const f = new JsonlFollower(path);
    await Deno.writeTextFile(path, '{"step":1}\n{"step":2}\n');
    await f.read();
    await Deno.writeTextFile(path, '{"step":9}\n');
    const again = await f.read();
    assertEquals(again.restarted, true);
    assertEquals(again.records, [{ step: 9 }]);
    await Deno.remove(path);
    assertEquals((await f.read()).restarted, true, "a deleted file drops what was read from it");
    assertEquals(f.offset, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JsonlFollower reads a multi-byte character split across two appends", async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, "metrics.jsonl");
    const f = new JsonlFollower(path);
    const bytes = new TextEncoder().encode('{"note":"é"}\n');
    await Deno.writeFile(path, bytes.subarray(0, 10));
    assertEquals((await f.read()).records, []);
    await Deno.writeFile(path, bytes.subarray(10), { append: true });
    assertEquals((await f.read()).records, [{ note: "é" }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LiveResults sees appended lines, a run folder that appears later, and reads each byte once", async () => {
  const dir = await tempDir();
  try {
    const root = await writeFixtureExperiment(dir, {
      name: "live",
      grid: { lr: [1e-3, 1e-4] },
      epochs: 2,
      outcome: (_g, i) => i === 1 ? "pending" : "running",
    });
    const experiment = JSON.parse(await Deno.readTextFile(join(root, "experiment.json")));
    const [first, second] = experiment.runs as string[];
    const live = new LiveResults(root);
    assert(await live.poll(), "the first poll is a change");
    const run0 = live.results!.runs[0]!;
    const steps0 = run0.steps.length;
    assert(steps0 > 0);
    assertEquals(live.results!.runs[1]!.state, "pending");
    const bytes0 = live.bytesRead;
    assertEquals(bytes0, (await Deno.stat(join(root, first!, "metrics.jsonl"))).size);
    assertEquals(await live.poll(), false, "nothing changed");
    assertEquals(live.bytesRead, bytes0, "an unchanged log is not read again");

    const line = JSON.stringify({ kind: "step", step: 999, epoch: 2, dLoss: 0.5, gLoss: 1.5 }) + "\n";
    await Deno.writeTextFile(join(root, first!, "metrics.jsonl"), line, { append: true });
    assert(await live.poll());
    assertEquals(live.results!.runs[0]!.steps.length, steps0 + 1);
    assertEquals(live.results!.runs[0]!.steps.at(-1)?.values, { dLoss: 0.5, gLoss: 1.5 });
    assertEquals(live.bytesRead, bytes0 + line.length, "only the appended line was read");

    // the pending run's folder may not exist yet: it appears with its first files
    await Deno.remove(join(root, second!), { recursive: true }).catch(() => {});
    assertEquals(await live.poll(), false);
    await Deno.mkdir(join(root, second!));
    await Deno.writeTextFile(
      join(root, second!, "status.json"),
      JSON.stringify({ status: "running", step: 10, epoch: 0, totalSteps: 100, updated: "", seconds: 1 }),
    );
    await Deno.writeTextFile(join(root, second!, "metrics.jsonl"), line);
    assert(await live.poll());
    assertEquals(live.results!.runs[1]!.state, "running");
    assertEquals(live.results!.runs[1]!.steps.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function model(rows: { step: number; value: number }[], extra: Partial<ChartSpec> = {}): LiveModel {
  return {
    regions: {
      header: "<h1>x</h1>",
      warnings: "",
      problems: "",
      sections: [{ id: "a", html: "<p>a</p>" }],
      footer: "",
    },
    charts: [{ id: "c", spec: { $schema: "s", data: { values: rows }, mark: "line", ...extra } }],
  };
}

Deno.test("PageFeed sends everything first, then only the rows added and removed", () => {
  const feed = new PageFeed();
  const first = feed.update(model([{ step: 1, value: 1 }, { step: 2, value: 2 }]));
  assertEquals(first.map((e) => e.type), ["sections", "html", "html", "html", "html", "html", "spec"]);
  assertEquals(feed.update(model([{ step: 1, value: 1 }, { step: 2, value: 2 }])), [], "nothing changed");
  const next = feed.update(model([{ step: 1, value: 1 }, { step: 3, value: 3 }]));
  assertEquals(next, [{
    type: "data",
    id: "c",
    changes: [{ name: "live_0", insert: [{ step: 3, value: 3 }], remove: [{ step: 2, value: 2 }] }],
  }]);
  const reshaped = feed.update(model([{ step: 1, value: 1 }], { mark: "point" }));
  assertEquals(reshaped.map((e) => e.type), ["spec"], "a spec that changes beyond its rows is sent whole");
});

Deno.test("PageFeed sends the spec again instead of a changeset larger than the data", () => {
  const feed = new PageFeed();
  const rows = (shift: number) => Array.from({ length: 10 }, (_, i) => ({ step: i, value: i + shift }));
  feed.update(model(rows(0)));
  const all = feed.update(model(rows(0.5)));
  assertEquals(all.map((e) => e.type), ["spec"], "every row changed (a smoothing window doubled)");
  const one = feed.update(model([...rows(0.5), { step: 10, value: 10 }]));
  assertEquals(one.map((e) => e.type), ["data"]);
});

Deno.test("htmlChange edits the HTML a page has into the new HTML, or sends it whole when that is smaller", () => {
  const applied = (before: string, after: string) => {
    const e = htmlChange("r", before, after);
    if (e.type === "html") return { kind: "html", html: e.html };
    if (e.type !== "patch") throw new Error(e.type);
    return { kind: "patch", html: before.slice(0, e.at) + e.text + before.slice(e.at + e.cut) };
  };
  const rows = (n: number, changed = -1) =>
    Array.from({ length: n }, (_, i) => `<tr><td>run ${i}</td><td>${i === changed ? "0.123" : "1.5"}</td></tr>`).join(
      "",
    );
  const table = `<table>${rows(20)}</table>`;
  const one = applied(table, `<table>${rows(20, 7)}</table>`);
  assertEquals(one, { kind: "patch", html: `<table>${rows(20, 7)}</table>` }, "one row changed: a patch");
  assertEquals(applied(table, `<table>${rows(21)}</table>`).kind, "patch", "a row appended: a patch");
  assertEquals(applied(table, `<table>${rows(19)}</table>`).kind, "patch", "a row removed: a patch");
  assertEquals(applied("<p>old</p>", "<b>new</b>"), { kind: "html", html: "<b>new</b>" }, "mostly new: sent whole");
  for (
    const [a, b] of [["aaaa😀bbbbbbbbbbbbbbbb", "aaaa😁bbbbbbbbbbbbbbbb"], ["xxxxxxxxxxxxxxxxab", "xxxxxxxxxxxxxxxxb"]]
  ) {
    assertEquals(applied(a!, b!).html, b, `${a} -> ${b}`);
  }
});

Deno.test("nameDatasets names every inline dataset and leaves rows out of the shape", () => {
  const spec: ChartSpec = {
    $schema: "s",
    data: { values: [{ a: 1 }] },
    vconcat: [{ mark: "point" }, { data: { values: [{ b: 2 }] }, mark: "line" }],
  };
  const named = nameDatasets(spec);
  assertEquals([...named.datasets.keys()], ["live_0", "live_1"]);
  assertEquals((named.spec.vconcat as { data?: { name: string } }[])[1]?.data?.name, "live_1");
  assertEquals(named.shape, nameDatasets({ ...spec, data: { values: [{ a: 5 }, { a: 6 }] } }).shape);
  assertEquals((spec.data as { name?: string }).name, undefined, "the spec given is not modified");
});

Deno.test("Decimated keeps evenly spaced items and the latest, never more than its cap", () => {
  const d = new Decimated<number>(8);
  for (let i = 0; i < 1000; i++) {
    d.push(i);
    assert(d.items().length <= 9, `at ${i}: ${d.items().length} kept`);
  }
  const items = d.items();
  assertEquals(items.at(-1), 999);
  assertEquals(items.slice(0, -1), [0, 128, 256, 384, 512, 640, 768, 896]);
  assertEquals(d.count, 1000);
});

Deno.test("LiveResults holds a long log in bounded memory: evenly spaced steps and the latest", async () => {
  const dir = await tempDir();
  try {
    const root = await writeFixtureExperiment(dir, { name: "long", grid: { lr: [1e-3] }, epochs: 1 });
    const id = JSON.parse(await Deno.readTextFile(join(root, "experiment.json"))).runs[0] as string;
    const path = join(root, id, "metrics.jsonl");
    await Deno.writeTextFile(path, "");
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ kind: "step", step: i, dLoss: 1, gLoss: 2 }));
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const live = new LiveResults(root, 64);
    await live.poll();
    const steps = live.results!.runs[0]!.steps;
    assert(steps.length <= 65, `${steps.length} points kept`);
    assertEquals(steps.at(-1)?.step, 4999);
    assertEquals(steps[0]?.step, 0);
    const gaps = new Set(steps.slice(0, -1).map((p, i) => (steps[i + 1]?.step ?? 0) - p.step).slice(0, -1));
    assertEquals(gaps.size, 1, `evenly spaced: gaps ${[...gaps]}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
