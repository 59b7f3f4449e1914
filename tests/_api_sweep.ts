// `deno run ... tests/_api_sweep.ts <out> <result.json> <experiment> [set JSON]`: a sweep through the API, outside
// Jupyter, as a script; it writes what the API returned and the events it sent to <result.json> and prints nothing.
import { runExperiment, type SweepEvent } from "../mod.ts";

if (import.meta.main) {
  const [out, resultFile, experiment, set] = Deno.args;
  const events: SweepEvent["type"][] = [];
  const run = await runExperiment(experiment!, {
    out: out!,
    set: JSON.parse(set ?? "{}"),
    onEvent: (e) => events.push(e.type),
  });
  const table = (await run.results()).table().rows;
  await Deno.writeTextFile(resultFile!, JSON.stringify({ runIds: run.runIds, events, table }));
}
