// Every notebook of notebooks/, executed top to bottom by a real Jupyter client (Debian's nbconvert) against Deno's
// kernel installed into a temporary HOME, with tiny parameters injected after its `parameters` cell (as papermill
// does): the executed notebook must hold one live sweep output, a Vega-Lite output, a PNG output and the runs
// table, and its runs must be the runs `deno task sweep` trains for the same experiment: same ids, same final
// losses to the last logged digit.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { readExperimentResults } from "../lib/results/read_results.ts";
import { runSweepCli } from "./_sweep_cli.ts";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

/** Small enough for seconds a notebook on 2 cores; the same values go to the command line's `--set`. */
const TINY = { steps: 30, logEvery: 10, sampleEvery: 15, checkpointEvery: 15, evalSamples: 0 };

/** Each notebook, the experiment it trains and the command-line flags that select the same runs. */
const NOTEBOOKS = [
  { file: "quickstart.ipynb", experiment: "experiments/quickstart.ts", name: "quickstart", flags: [] },
  {
    file: "blog-001-learning-rate.ipynb",
    experiment: "experiments/study-learning-rate.ts",
    name: "study-learning-rate",
    flags: ["--profile", "quick", "--only", "arch=mlp-pytorch"],
  },
  {
    file: "blog-002-label-smoothing.ipynb",
    experiment: "experiments/study-label-smoothing.ts",
    name: "study-label-smoothing",
    flags: ["--profile", "quick"],
  },
];

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  id?: string;
  metadata: { tags?: string[] };
  execution_count?: number | null;
  source: string | string[];
  outputs?: Output[];
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
}

const text = (v: unknown) => Array.isArray(v) ? v.join("") : String(v ?? "");

async function hasNbconvert(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("jupyter", {
      args: ["nbconvert", "--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return success;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}): Promise<string> {
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...options }).spawn();
  const { code, stdout, stderr } = await child.output();
  const dec = new TextDecoder();
  assertEquals(code, 0, `${cmd} ${args.join(" ")} failed:\n${dec.decode(stderr).slice(-3000)}`);
  return dec.decode(stdout);
}

/** The notebook with a cell after its `parameters` cell that sets `out` and `set` (the notebook's own cells run as written). */
function withParameters(nb: Notebook, out: string): Notebook {
  const at = nb.cells.findIndex((c) => c.metadata.tags?.includes("parameters"));
  assert(at >= 0, "the notebook has a cell tagged parameters");
  const injected: Cell = {
    cell_type: "code",
    id: "injected-parameters",
    metadata: { tags: ["injected-parameters"] },
    execution_count: null,
    source: `out = ${JSON.stringify(out)};\nset = ${JSON.stringify(TINY)};\nconsole.log("parameters injected");`,
    outputs: [],
  };
  return { ...nb, cells: [...nb.cells.slice(0, at + 1), injected, ...nb.cells.slice(at + 1)] };
}

/** Execute a notebook with nbconvert in notebooks/ (its imports are relative to it); the executed notebook. */
async function execute(nb: Notebook, jupyterEnv: Record<string, string>, keepAt: string): Promise<Notebook> {
  const child = new Deno.Command("jupyter", {
    args: ["nbconvert", "--to", "notebook", "--execute", "--stdin", "--stdout", "--ExecutePreprocessor.timeout=300"],
    cwd: join(ROOT, "notebooks"),
    env: jupyterEnv,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(nb)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const dec = new TextDecoder();
  assertEquals(code, 0, `nbconvert failed:\n${dec.decode(stderr).slice(-3000)}`);
  await Deno.writeFile(keepAt, stdout);
  return JSON.parse(dec.decode(stdout));
}

/** The body rows of the `<table class="…">` in `html`, each as its cells' text. */
function tableRows(html: string, className: string): { head: string[]; rows: string[][] } {
  const table = new RegExp(`<table class="${className}">([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (table === undefined) throw new Error(`no table of class ${className}`);
  const unescape = (s: string) =>
    s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  const head = [...table.matchAll(/<th>(.*?)<\/th>/g)].map((m) => unescape(m[1]!));
  const rows = [...table.matchAll(/<tr>(<td>[\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<td>(.*?)<\/td>/g)].map((c) => unescape(c[1]!))
  );
  return { head, rows };
}

Deno.test({
  name: "each notebook runs top to bottom under nbconvert with the Deno kernel and trains the command line's runs",
  ignore: !(await hasNbconvert()), // .ci/run installs Debian's jupyter-nbconvert
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "gan-notebooks-" });
    try {
      // The kernel goes into a temporary HOME; Jupyter looks there first (JUPYTER_PATH) and keeps its own files there.
      const home = join(tmp, "home");
      await run("deno", ["jupyter", "--install"], {
        env: { HOME: home, XDG_DATA_HOME: join(home, ".local", "share") },
      });
      const kernels = join(home, ".local", "share", "jupyter");
      const spec = JSON.parse(await Deno.readTextFile(join(kernels, "kernels", "deno", "kernel.json")));
      assertEquals(spec.argv.slice(1, 3), ["jupyter", "--kernel"]);
      const jupyterEnv = {
        JUPYTER_PATH: kernels,
        JUPYTER_DATA_DIR: join(tmp, "data"),
        JUPYTER_RUNTIME_DIR: join(tmp, "runtime"),
        JUPYTER_CONFIG_DIR: join(tmp, "config"),
        NO_COLOR: "1",
      };

      for (const nbInfo of NOTEBOOKS) {
        const source: Notebook = JSON.parse(await Deno.readTextFile(join(ROOT, "notebooks", nbInfo.file)));
        assertEquals(source.metadata.kernelspec?.name, "deno", `${nbInfo.file}: the Deno kernel`);
        for (const cell of source.cells) {
          assertEquals(cell.outputs ?? [], [], `${nbInfo.file}: outputs are cleared in git (cell ${cell.id})`);
        }
        const nbOut = join(tmp, `notebook-${nbInfo.name}`);
        const executed = await execute(withParameters(source, nbOut), jupyterEnv, join(tmp, nbInfo.file));
        const outputs = executed.cells.flatMap((c) => (c.outputs ?? []).map((o) => ({ cell: c, o })));
        const errors = outputs.filter(({ o }) => o.output_type === "error");
        assertEquals(errors.map(({ cell, o }) => `${cell.id}: ${o.ename}: ${o.evalue}`), [], nbInfo.file);

        // One output followed the sweep, replaced in place, and it ended showing every run completed.
        const train = executed.cells.find((c) => c.id === "train")!; // the cell that calls runExperiment
        const live = (train.outputs ?? []).filter((o) => o.output_type === "display_data");
        assertEquals(live.length, 1, `${nbInfo.file}: one live output`);
        assertMatch(text(live[0]!.data!["text/html"]), /class="gan-harness-live"/);

        const vegaLite = outputs.filter(({ o }) =>
          Object.keys(o.data ?? {}).some((k) => /^application\/vnd\.vegalite\.v\d+\+json$/.test(k))
        );
        assert(vegaLite.length > 0, `${nbInfo.file}: a Vega-Lite output`);
        for (const { o } of vegaLite) {
          const [mime, spec] = Object.entries(o.data!).find(([k]) => k.startsWith("application/vnd.vegalite"))!;
          const version = /v(\d+)\+json/.exec(mime)![1];
          assertMatch(String((spec as { $schema: string }).$schema), new RegExp(`/vega-lite/v${version}\\.json$`));
        }
        const pngs = outputs.filter(({ o }) => typeof o.data?.["image/png"] === "string");
        assert(pngs.length > 0, `${nbInfo.file}: a PNG output`);
        const png = Uint8Array.from(atob(text(pngs.at(-1)!.o.data!["image/png"])), (c) => c.charCodeAt(0));
        assertEquals([...png.slice(1, 4)], [0x50, 0x4e, 0x47], "its data is a PNG");

        const tables = outputs.filter(({ o }) => text(o.data?.["text/html"]).includes('class="gan-harness-runs"'));
        assertEquals(tables.length, 1, `${nbInfo.file}: the runs table`);
        const table = tableRows(text(tables[0]!.o.data!["text/html"]), "gan-harness-runs");
        const started = table.rows.filter((r) => r[table.head.indexOf("state")] !== "pending");
        assertEquals(
          `live: ${started.length} completed`,
          `live: ${/(\d+) completed/.exec(text(live[0]!.data!["text/plain"]))?.[1]} completed`,
          "the live output ends with every run of the table completed",
        );

        // The command line, same experiment and flags, into its own folder.
        const cliOut = join(tmp, `cli-${nbInfo.name}`);
        const set = Object.entries(TINY).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
        const cli = await runSweepCli(cliOut, nbInfo.experiment, ...nbInfo.flags, ...set);
        assertEquals(cli.code, 0, cli.stderr);
        const cliRuns = (await readExperimentResults(join(cliOut, nbInfo.name))).runs.filter((r) =>
          r.state !== "pending"
        );
        const nbRuns = (await readExperimentResults(join(nbOut, nbInfo.name))).runs.filter((r) =>
          r.state !== "pending"
        );
        const col = (name: string) => table.head.indexOf(name);
        assertEquals(started.map((r) => r[col("run")]), cliRuns.map((r) => r.id), `${nbInfo.file}: the same run ids`);
        assertEquals(nbRuns.map((r) => r.id), cliRuns.map((r) => r.id));
        for (const [i, r] of cliRuns.entries()) {
          const last = r.steps.at(-1)!.values;
          assertEquals(r.state, "completed");
          assertEquals(
            [started[i]![col("state")], started[i]![col("D loss")], started[i]![col("G loss")]],
            ["completed", String(last.dLoss), String(last.gLoss)],
            `${nbInfo.file}: ${r.id}'s final losses in the table`,
          );
          const { ms: _nbMs, ...nbLast } = nbRuns[i]!.steps.at(-1)!.values;
          const { ms: _cliMs, ...cliLast } = last;
          assertEquals(nbLast, cliLast, `${r.id}: the notebook's last step line (all but its ms per step)`);
        }
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
