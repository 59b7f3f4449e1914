import { pruneBracket } from "../lib/experiment/stopping.ts";
import { assert, assertEquals } from "@std/assert";
import { kept, type Prune, RungBook, type RungLine } from "../lib/sweep/asha.ts";
import "../lib/train/builtins.ts";

const prune: Prune = { metric: "fcd", mode: "min", rungs: [100, 300], keep: 0.5 };
const tempDir = () => Deno.makeTempDir({ prefix: "asha-" });

Deno.test("a run goes on while it is among the best share of the runs that reached its rung so far", async () => {
  const dir = await tempDir();
  const book = new RungBook(dir, prune);
  assertEquals((await book.decide("a", 100, 10)).kind, "continue"); // the best of 1
  assertEquals(await book.decide("b", 100, 20), { kind: "prune", rank: 1, of: 2 });
  assertEquals((await book.decide("c", 100, 5)).kind, "continue"); // best of 3, keep 1
  assertEquals(await book.decide("d", 100, 7), { kind: "continue", rank: 1, of: 4 }); // keep 2 of 4
  assertEquals((await book.decide("e", 100, NaN)).kind, "prune", "a non-finite metric ranks last");
  assertEquals((await book.decide("a", 300, 9)).kind, "continue", "each rung ranks on its own");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("max mode ranks the highest first, and kept() keeps at least the best one", async () => {
  const dir = await tempDir();
  const book = new RungBook(dir, { ...prune, mode: "max", keep: 1 / 3 });
  assertEquals((await book.decide("low", 100, 2)).kind, "continue");
  assertEquals((await book.decide("high", 100, 8)).kind, "continue");
  assertEquals((await book.decide("mid", 100, 5)).kind, "prune");
  assertEquals([kept(1, 1 / 3), kept(3, 1 / 3), kept(6, 1 / 3), kept(9, 1 / 3)], [1, 1, 2, 3]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a decision is made once: asked again (a run resumed after a kill) it is the one written", async () => {
  const dir = await tempDir();
  const book = new RungBook(dir, prune);
  await book.decide("a", 100, 10);
  const first = await book.decide("b", 100, 20);
  await book.decide("c", 100, 1);
  await book.decide("d", 100, 2);
  // By now b would rank 2 of 4; its decision stays the one made when it reached the rung.
  assertEquals(await new RungBook(dir, prune).decide("b", 100, 0), first);
  assertEquals((await book.lines()).length, 4);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a pruned run is promoted once the rung has filled enough to keep it, and only once", async () => {
  const dir = await tempDir();
  const book = new RungBook(dir, prune);
  await book.decide("a", 100, 10);
  await book.decide("b", 100, 20); // 2nd of 2: pruned
  await book.decide("c", 100, 30); // pruned
  assertEquals(await book.promote(), []);
  await book.decide("d", 100, 40); // 4 runs: the best 2 go on, so b now does
  const promoted = await book.promote();
  assertEquals(promoted.map((p) => [p.runId, p.kind, p.rank, p.of]), [["b", "promote", 1, 4]]);
  assertEquals(await book.promote(), []);
  assertEquals([...await book.pruned()].sort(), ["c", "d"]);
  assertEquals((await book.decide("b", 100, 20)).kind, "continue", "a promoted run resuming at its rung goes on");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two processes deciding at once write each decision once, each made on everything before it", async () => {
  const dir = await tempDir();
  const run = (prefix: string) =>
    new Deno.Command("deno", {
      args: ["run", `--allow-read=${dir}`, `--allow-write=${dir}`, "tests/fixtures/rung_decider.ts", dir, prefix, "15"],
    }).output();
  const results = await Promise.all([run("a"), run("b")]);
  for (const r of results) assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
  const lines = await new RungBook(dir, prune).lines();
  assertEquals(lines.length, 30);
  assertEquals(new Set(lines.map((l) => l.runId)).size, 30);
  // Replay the file in order: every recorded rank and decision follows from the lines before it.
  const replay = await tempDir();
  const again = new RungBook(replay, { ...prune, keep: 1 / 3 });
  for (const l of lines) {
    const d = await again.decide(l.runId, l.rung, l.value!);
    assertEquals([d.kind, d.rank, d.of], [l.kind, l.rank, l.of], `${l.runId}`);
  }
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(replay, { recursive: true });
});

Deno.test("a torn last line (a writer killed mid-decision) is dropped before the next decision", async () => {
  const dir = await tempDir();
  const book = new RungBook(dir, prune);
  await book.decide("a", 100, 10);
  await Deno.writeTextFile(`${dir}/rungs.jsonl`, '{"kind":"prune","runId":"x","ru', { append: true });
  await book.decide("b", 100, 5);
  const lines: RungLine[] = await book.lines();
  assertEquals(lines.map((l) => l.runId), ["a", "b"]);
  assert((await Deno.readTextFile(`${dir}/rungs.jsonl`)).endsWith("\n"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("with prune.by a run is ranked only within its bracket: one loss's FCDs never prune another's", async () => {
  const dir = await Deno.makeTempDir();
  const prune = { metric: "fcd" as const, rungs: [100], keep: 0.5, by: ["loss"] };
  const book = new RungBook(dir, prune);
  const [bce, hinge] = [pruneBracket(prune, { loss: "bce" }), pruneBracket(prune, { loss: "hinge" })];
  assertEquals((await book.decide("bce-1", 100, 10, bce)).kind, "continue");
  assertEquals((await book.decide("bce-2", 100, 20, bce)).kind, "prune"); // 2nd of 2 bce runs
  assertEquals(await book.decide("hinge-1", 100, 500, hinge), { kind: "continue", rank: 0, of: 1 }); // alone in its bracket
  assertEquals((await book.decide("hinge-2", 100, 400, hinge)).kind, "continue"); // the better hinge run
  assertEquals([...await book.pruned()], ["bce-2"]);
  assertEquals((await book.promote()).map((p) => p.runId), [], "hinge-1's 2nd place keeps it out of bce's bracket");
  await Deno.remove(dir, { recursive: true });
});

/** Replace line `n` (1-based) of a rung book with `text`, keeping its newline: damage in place, not a torn end. */
async function damageLine(dir: string, n: number, text: (line: string) => string): Promise<void> {
  const path = `${dir}/rungs.jsonl`;
  const lines = (await Deno.readTextFile(path)).split("\n");
  lines[n - 1] = text(lines[n - 1]!);
  await Deno.writeTextFile(path, lines.join("\n"));
}

Deno.test("a damaged middle line keeps its decision: the run resuming at its rung is not decided again, and it is said", async () => {
  const dir = await tempDir();
  const book = new RungBook(dir, prune);
  await book.decide("a", 100, 10);
  assertEquals((await book.decide("b", 100, 20)).kind, "prune");
  await book.decide("c", 100, 5);
  // Cut line 2 after its value: `{"kind":"prune","runId":"b","rung":100,"value":20,"ra`.
  await damageLine(dir, 2, (l) => l.slice(0, l.indexOf('"rank"') + 4));
  const warnings: string[] = [];
  const again = new RungBook(dir, prune, (m) => warnings.push(m));
  assertEquals((await again.decide("b", 100, 1)).kind, "prune", "b's decision is the one written, not made anew");
  assertEquals((await again.lines()).length, 3, "no second decision for b");
  assertEquals([...await again.pruned()], ["b"]);
  assertEquals(warnings.length, 1, "said once");
  assert(warnings[0]!.includes(`${dir}/rungs.jsonl line 2 is damaged; its decision (prune b at rung 100)`));
  // A value cut short is not a value: "20" cut to "2" cannot pass for a decision on 2.
  await damageLine(dir, 2, () => '{"kind":"prune","runId":"b","rung":100,"value":2');
  const cut = await new RungBook(dir, prune, () => {}).decide("d", 100, 7).then(() => null, (e: Error) => e);
  assert(cut?.message.includes("line 2 is damaged and no decision can be read from it"), String(cut));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a damaged line that names no decision stops every decision, with the line and how to mend it", async () => {
  const dir = await tempDir();
  const book = new RungBook(dir, prune);
  await book.decide("a", 100, 10);
  await book.decide("b", 100, 20);
  await damageLine(dir, 1, () => "\u0000\u0000garbage");
  const e = await new RungBook(dir, prune).decide("c", 100, 5).then(() => new Error("decided"), (e: Error) => e);
  assert(e.message.includes(`${dir}/rungs.jsonl line 1 is damaged`), e.message);
  assert(e.message.includes("delete it to have that decision made again"), e.message);
  assertEquals((await Deno.readTextFile(`${dir}/rungs.jsonl`)).split("\n").filter(Boolean).length, 2, "nothing added");
  await Deno.remove(dir, { recursive: true });
});
