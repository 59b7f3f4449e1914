// The layer order of docs/architecture.md, checked against the code's imports as Deno resolves them.
import { assert, assertEquals } from "@std/assert";
import { fromFileUrl, relative } from "@std/path";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

/** The folders of the architecture table, top to bottom (`lib/*.ts` for the files directly in lib/). */
async function documentedLayers(): Promise<string[]> {
  const doc = await Deno.readTextFile(`${ROOT}/docs/architecture.md`);
  const rows = [...doc.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]!);
  return rows.filter((r) => r.startsWith("lib/"));
}

/** The folder a lib file belongs to, as the table names it. */
function folderOf(path: string): string {
  const parts = path.split("/");
  return parts.length === 2 ? "lib/*.ts" : `lib/${parts[1]}/`;
}

interface Module {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier: string } }[];
}

/** Every lib file's imports that run code (not `import type`), as `deno info` resolves them, repo-relative. */
async function codeImports(): Promise<{ from: string; to: string }[]> {
  const lib: string[] = [];
  for await (const e of Deno.readDir(`${ROOT}/lib`)) if (e.isFile && e.name.endsWith(".ts")) lib.push(`lib/${e.name}`);
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(`${ROOT}/${dir}`)) {
      if (e.isDirectory) await walk(`${dir}/${e.name}`);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) lib.push(`${dir}/${e.name}`);
    }
  };
  for await (const e of Deno.readDir(`${ROOT}/lib`)) if (e.isDirectory) await walk(`lib/${e.name}`);
  await Deno.mkdir(`${ROOT}/.test-artifacts`, { recursive: true });
  const root = `${ROOT}/.test-artifacts/layering_root.ts`;
  await Deno.writeTextFile(root, lib.filter((f) => !f.endsWith(".d.ts")).map((f) => `import "../${f}";\n`).join(""));
  const out = await new Deno.Command("deno", { args: ["info", "--json", root], cwd: ROOT, stderr: "piped" }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  const modules = (JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: Module[] }).modules;
  const inLib = (url: string) => url.startsWith("file://") && relative(ROOT, fromFileUrl(url)).startsWith("lib/");
  return modules.filter((m) => inLib(m.specifier)).flatMap((m) =>
    (m.dependencies ?? []).flatMap((d) =>
      d.code && inLib(d.code.specifier)
        ? [{ from: relative(ROOT, fromFileUrl(m.specifier)), to: relative(ROOT, fromFileUrl(d.code.specifier)) }]
        : []
    )
  );
}

/** The imports of `imports` that reach up `layers` (top to bottom), each said in words. */
function upward(imports: { from: string; to: string }[], layers: string[]): string[] {
  return imports.filter((i) => layers.indexOf(folderOf(i.to)) < layers.indexOf(folderOf(i.from)))
    .map((i) => `${i.from} imports ${i.to} (${folderOf(i.to)} is above ${folderOf(i.from)})`);
}

Deno.test("every lib folder is a row of docs/architecture.md's table, and no import that runs code reaches up it", async () => {
  const layers = await documentedLayers();
  const imports = await codeImports();
  const folders = new Set(imports.flatMap((i) => [folderOf(i.from), folderOf(i.to)]));
  const missing = [...folders].filter((f) => !layers.includes(f));
  assertEquals(missing, [], "lib folders without a row in docs/architecture.md's table");
  assertEquals(
    upward(imports, layers),
    [],
    "imports that reach up the table: move the code down, or import its types only",
  );
  assert(imports.length > 300, `the graph was read (${imports.length} imports)`);
});

Deno.test("the layering check names an import that reaches up, and passes one that goes down or stays", async () => {
  const layers = await documentedLayers();
  const imports = [
    { from: "lib/experiment/plan.ts", to: "lib/train/kinds/builtin.ts" }, // up: planning loading the trainers
    { from: "lib/train/loop.ts", to: "lib/experiment/config.ts" },
    { from: "lib/train/kinds/gan.ts", to: "lib/train/losses.ts" },
    { from: "lib/data/cifar.ts", to: "lib/sha256.ts" },
  ];
  assertEquals(upward(imports, layers), [
    "lib/experiment/plan.ts imports lib/train/kinds/builtin.ts (lib/train/ is above lib/experiment/)",
  ]);
});
