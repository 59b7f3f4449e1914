/**
 * The docs' commands still run and their links still lead somewhere. Every `deno task NAME ...` line of README.md and
 * docs/*.md, in a code block or in inline code, must name a task of deno.json, and each `--flag` on it must be one
 * that the task's `--help` lists and that its own parser accepts (the test runs `deno task NAME --help` with the
 * flags: the parser rejects an unknown flag before it looks at `--help`). `deno run ... tasks/X.ts ...` lines are
 * checked against the task whose entry is tasks/X.ts, and the repository files a command names must exist. Relative
 * links and images must point at files that exist, and `#anchors` at headings that exist.
 *
 * Run alone: deno test --allow-read --allow-run=deno --allow-env tests/docs_commands_test.ts
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { dirname, join, relative } from "@std/path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A piece of code in a markdown file: one line of a code block, or one inline code span. */
interface Snippet {
  file: string;
  line: number;
  text: string;
}

/** One `deno task` (or `deno run tasks/X.ts`) command found in a snippet. */
interface DocCommand {
  where: string;
  task: string;
  args: string[];
  /** The script of a `deno run` line, checked to exist. */
  script?: string;
}

/** What a task accepts: the flags its `--help` lists, or why they could not be read. */
interface TaskInfo {
  entry: string | null;
  listed: Set<string>;
  error?: string;
}

/** README.md and docs/*.md, as paths relative to the repository root. */
async function docFiles(): Promise<string[]> {
  const files = ["README.md"];
  for await (const e of Deno.readDir(join(ROOT, "docs"))) {
    if (e.isFile && e.name.endsWith(".md")) files.push(`docs/${e.name}`);
  }
  return files.sort();
}

/** Code-block lines (a line ending in `\` joined with the next) and inline code spans, with their line numbers. */
export function codeSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const out: Snippet[] = [];
  let fence: string | null = null;
  let pending: Snippet | null = null;
  let paragraph: { start: number; lines: string[] } | null = null;
  const flushParagraph = () => {
    if (paragraph) out.push(...inlineCode(file, paragraph.start, paragraph.lines.join("\n")));
    paragraph = null;
  };
  lines.forEach((raw, i) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (fence === null && open) {
      flushParagraph();
      fence = open[1]!;
      return;
    }
    if (fence !== null) {
      if (raw.trim().startsWith(fence) && raw.trim().replace(/[`~]/g, "") === "") {
        fence = null;
        return;
      }
      const text = pending ? `${pending.text} ${raw.trim()}` : raw.trim();
      const start = pending?.line ?? i + 1;
      pending = null;
      if (text.endsWith("\\")) pending = { file, line: start, text: text.slice(0, -1).trimEnd() };
      else out.push({ file, line: start, text });
      return;
    }
    if (raw.trim() === "") flushParagraph();
    else (paragraph ??= { start: i + 1, lines: [] }).lines.push(raw);
  });
  flushParagraph();
  return out;
}

/** The inline code spans of one paragraph; a span may run over a line break. */
function inlineCode(file: string, start: number, text: string): Snippet[] {
  const spans: Snippet[] = [];
  for (const m of text.matchAll(/(`+)([\s\S]*?[^`])\1(?!`)/g)) {
    const line = start + (text.slice(0, m.index).match(/\n/g)?.length ?? 0);
    spans.push({ file, line, text: m[2]!.replace(/\s*\n\s*/g, " ").trim() });
  }
  return spans;
}

/** The `deno task` and `deno run tasks/X.ts` commands of a snippet (split at `&&`, `;`, pipes; comments dropped). */
export function docCommands(snippet: Snippet, entries: Map<string, string>): DocCommand[] {
  const where = `${snippet.file}:${snippet.line}`;
  const found: DocCommand[] = [];
  const code = snippet.text.replace(/(^|\s)#.*$/, "");
  for (const segment of code.split(/&&|\|\||;|\|/)) {
    const tokens = segment.trim().split(/\s+/);
    for (let k = 0; k + 1 < tokens.length; k++) {
      // The GPU kit's runner passes `bench ...` and `sweep ...` on to those tasks' bundled entries.
      if (tokens[k] === "bench/gpu/run.sh" && [...entries.values()].includes(tokens[k + 1]!)) {
        found.push({ where, task: tokens[k + 1]!, args: tokens.slice(k + 2), script: tokens[k]! });
        break;
      }
      if (tokens[k] !== "deno") continue;
      if (tokens[k + 1] === "task" && tokens[k + 2] !== undefined) {
        // A name at the end of a sentence in a code block's prose ("from deno task report:") ends at the punctuation.
        found.push({ where, task: tokens[k + 2]!.replace(/[:,.)]+$/, ""), args: tokens.slice(k + 3) });
        break;
      }
      if (tokens[k + 1] === "run") {
        const s = tokens.findIndex((t, j) => j > k + 1 && !t.startsWith("-"));
        if (s < 0) break;
        const script = tokens[s]!;
        const task = entries.get(script);
        found.push({ where, task: task ?? "", args: task ? tokens.slice(s + 1) : [], script });
        break;
      }
    }
  }
  return found;
}

/** The `--flag` names on a command line (`[--fetch NAME]`, `--set=k=v` and `--threads 1,2` alike). */
export function flagsOf(args: readonly string[]): string[] {
  const flags: string[] = [];
  for (const arg of args) {
    const m = /^[[(]*(--[a-z][a-z0-9-]*)/.exec(arg);
    if (m) flags.push(m[1]!);
  }
  return flags;
}

/** Repository files a command names as arguments (experiment files, scripts); globs and placeholders are skipped. */
function pathsOf(command: DocCommand): string[] {
  const paths = command.args.filter((a) =>
    /^(experiments|tests|bench|tasks|lib|docs)\/[\w./-]+\.(ts|sh|py|md)$/.test(a)
  );
  return command.script ? [command.script, ...paths] : paths;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** `deno task <args>` in the repository, quietly and without colour. */
async function denoTask(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("deno", {
    args: ["task", "--quiet", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** The last non-empty line of a command's error output: the one-line `error: ...` of a task. */
function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

/** Checks doc commands against deno.json's tasks, running each task's `--help` once. */
class TaskChecker {
  readonly #tasks: Record<string, { command: string }>;
  readonly #info = new Map<string, Promise<TaskInfo>>();
  /** tasks/X.ts → the first task whose command runs it. */
  readonly entries = new Map<string, string>();

  constructor(denoJson: { tasks: Record<string, { command: string }> }) {
    this.#tasks = denoJson.tasks;
    for (const [name, task] of Object.entries(this.#tasks)) {
      const entry = this.#entry(name);
      if (entry && !this.entries.has(entry) && task.command.trim().endsWith(entry)) this.entries.set(entry, name);
    }
  }

  static async load(): Promise<TaskChecker> {
    return new TaskChecker(JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))));
  }

  #entry(name: string): string | null {
    return /\btasks\/[\w-]+\.ts\b/.exec(this.#tasks[name]!.command)?.[0] ?? null;
  }

  info(name: string): Promise<TaskInfo> {
    let info = this.#info.get(name);
    if (!info) {
      info = this.#readHelp(name);
      this.#info.set(name, info);
    }
    return info;
  }

  async #readHelp(name: string): Promise<TaskInfo> {
    const entry = this.#entry(name);
    if (!entry) return { entry, listed: new Set() };
    const help = await denoTask([name, "--help"]);
    const listed = new Set(["--help", ...[...help.stdout.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0])]);
    if (help.code !== 0 || listed.size < 2) {
      return { entry, listed, error: `deno task ${name} --help exited ${help.code}: ${lastLine(help.stderr)}` };
    }
    return { entry, listed };
  }

  /** Problems with `commands`, one line each, naming the file and line. */
  async check(commands: readonly DocCommand[]): Promise<string[]> {
    const problems: string[] = [];
    const used = new Map<string, Map<string, string>>(); // task → flag → first place it is used
    for (const c of commands) {
      for (const p of pathsOf(c)) {
        if (!(await exists(join(ROOT, p)))) problems.push(`${c.where}: ${p}: no such file`);
      }
      if (c.script !== undefined && c.task === "") continue; // a script of its own, not a task's entry
      if (!Object.hasOwn(this.#tasks, c.task)) {
        const known = Object.keys(this.#tasks).join(", ");
        problems.push(`${c.where}: deno task ${c.task}: no such task in deno.json (known: ${known})`);
        continue;
      }
      const flags = flagsOf(c.args);
      const info = await this.info(c.task);
      if (info.error) {
        problems.push(`${c.where}: ${info.error}`);
        continue;
      }
      if (info.entry === null) {
        if (flags.length > 0) {
          problems.push(`${c.where}: deno task ${c.task} has no tasks/*.ts entry whose flags could be checked`);
        }
        continue;
      }
      for (const f of flags) {
        if (!info.listed.has(f)) {
          problems.push(
            `${c.where}: ${f} is not an option of deno task ${c.task} (its --help lists ${
              [...info.listed].join(", ")
            })`,
          );
        }
        const byFlag = used.get(c.task) ?? new Map<string, string>();
        if (!byFlag.has(f)) byFlag.set(f, c.where);
        used.set(c.task, byFlag);
      }
    }
    for (const [task, byFlag] of used) problems.push(...await this.#parse(task, byFlag));
    return problems;
  }

  /** Whether the task's own parser takes these flags: all at once, then one by one to name the ones it refuses. */
  async #parse(task: string, byFlag: Map<string, string>): Promise<string[]> {
    const flags = [...byFlag.keys()];
    if ((await denoTask([task, "--help", ...flags])).code === 0) return [];
    const problems: string[] = [];
    for (const f of flags) {
      const run = await denoTask([task, "--help", f]);
      if (run.code !== 0) problems.push(`${byFlag.get(f)}: deno task ${task} ${f}: ${lastLine(run.stderr)}`);
    }
    return problems.length > 0 ? problems : [`deno task ${task} --help ${flags.join(" ")} fails, but no flag alone`];
  }
}

/** Every command of README.md and docs/*.md. */
async function allDocCommands(checker: TaskChecker): Promise<DocCommand[]> {
  const commands: DocCommand[] = [];
  for (const file of await docFiles()) {
    const text = await Deno.readTextFile(join(ROOT, file));
    for (const s of codeSnippets(file, text)) commands.push(...docCommands(s, checker.entries));
  }
  return commands;
}

// ---- links ----

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The markdown with code blocks and inline code blanked out (line numbers kept). */
function withoutCode(markdown: string): string {
  let fence: string | null = null;
  const lines = markdown.split("\n").map((line) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === null && open) {
      fence = open[1]!;
      return "";
    }
    if (fence !== null) {
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") fence = null;
      return "";
    }
    return line;
  });
  return lines.join("\n").replace(/(`+)[\s\S]*?[^`]\1(?!`)/g, (span) => span.replace(/[^\n]/g, " "));
}

/** The anchors of a markdown file's headings (outside code blocks), duplicates numbered as GitHub numbers them. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const blanked = withoutCode(markdown).split("\n");
  markdown.split("\n").forEach((line, i) => {
    if (blanked[i] === "" && line !== "") return; // a line of a code block
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) return;
    const slug = headingSlug(m[1]!);
    const n = seen.get(slug) ?? 0;
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
    seen.set(slug, n + 1);
  });
  return anchors;
}

/** Problems with the relative links and images of one markdown file (`file` relative to the repository root). */
export async function linkProblems(file: string, markdown: string, anchorsIn: (file: string) => Promise<Set<string>>) {
  const problems: string[] = [];
  const prose = withoutCode(markdown);
  const link = /!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
  for (const m of prose.matchAll(link)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const line = prose.slice(0, m.index).split("\n").length;
    const [path, anchor] = target.split("#", 2) as [string, string | undefined];
    const resolved = path === "" ? file : relative(ROOT, join(ROOT, dirname(file), decodeURIComponent(path)));
    if (path !== "" && !(await exists(join(ROOT, resolved)))) {
      problems.push(`${file}:${line}: ${target}: ${resolved} does not exist`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith(".md") && !(await anchorsIn(resolved)).has(anchor)) {
      problems.push(`${file}:${line}: ${target}: no heading #${anchor} in ${resolved}`);
    }
  }
  return problems;
}

/** Anchors of the repository's markdown files, read once each. */
function anchorReader(overrides: Record<string, string> = {}): (file: string) => Promise<Set<string>> {
  const cache = new Map<string, Promise<Set<string>>>();
  return (file) => {
    let anchors = cache.get(file);
    if (!anchors) {
      anchors = (file in overrides ? Promise.resolve(overrides[file]!) : Deno.readTextFile(join(ROOT, file)))
        .then(anchorsOf);
      cache.set(file, anchors);
    }
    return anchors;
  };
}

// ---- tests ----

const RUN = { read: true, run: ["deno"] } satisfies Deno.PermissionOptions;

Deno.test({
  name: "every deno task line of README.md and docs/*.md names a task, and flags its --help lists and its parser takes",
  permissions: RUN,
  async fn() {
    const checker = await TaskChecker.load();
    const commands = await allDocCommands(checker);
    // The extraction itself works: the quick start's two commands are found, and many more.
    const where = (task: string, args: string) =>
      commands.filter((c) => c.task === task && c.args.join(" ") === args).map((c) => c.where);
    assert(where("sweep", "experiments/quickstart.ts").includes("README.md:18"), "the quick start's sweep line");
    assert(where("test", "").includes("README.md:19"), "the quick start's test line");
    assert(commands.length > 50, `only ${commands.length} commands found`);
    assert(new Set(commands.map((c) => c.task)).size >= 8, "commands of most tasks");
    assertEquals(await checker.check(commands), []);
  },
});

Deno.test({
  name: "a made-up task, a made-up flag, a missing experiment file: each caught on its doc line",
  permissions: RUN,
  async fn() {
    const checker = await TaskChecker.load();
    const markdown = [
      "Train with `deno task sweep experiments/quickstart.ts --jobs 2",
      "--made-up-flag` and then:",
      "",
      "```sh",
      "deno task no-such-task --jobs 2",
      "deno task report experiments/quickstart.ts \\",
      "  --no-such-option x   # a comment: --not-checked",
      "deno task sweep experiments/no-such-file.ts --dry-run && deno task eval results/x --n 100",
      "deno run --allow-read tasks/report.ts results/quickstart --serve --port 8080 --bogus",
      "bash bench/gpu/run.sh bench --backend webgpu --no-such-gpu-flag",
      "bash bench/gpu/run.sh torch",
      "```",
    ].join("\n");
    const commands = codeSnippets("fixture.md", markdown).flatMap((s) => docCommands(s, checker.entries));
    assertEquals(commands.map((c) => [c.where, c.task, flagsOf(c.args)]), [
      ["fixture.md:1", "sweep", ["--jobs", "--made-up-flag"]],
      ["fixture.md:5", "no-such-task", ["--jobs"]],
      ["fixture.md:6", "report", ["--no-such-option"]],
      ["fixture.md:8", "sweep", ["--dry-run"]],
      ["fixture.md:8", "eval", ["--n"]],
      ["fixture.md:9", "report", ["--serve", "--port", "--bogus"]],
      ["fixture.md:10", "bench", ["--backend", "--no-such-gpu-flag"]],
    ]);
    const problems = await checker.check(commands);
    const expected = [
      /^fixture\.md:1: --made-up-flag is not an option of deno task sweep \(its --help lists .*--jobs/,
      /^fixture\.md:5: deno task no-such-task: no such task in deno\.json \(known: sweep, /,
      /^fixture\.md:6: --no-such-option is not an option of deno task report /,
      /^fixture\.md:8: experiments\/no-such-file\.ts: no such file$/,
      /^fixture\.md:9: --bogus is not an option of deno task report /,
      /^fixture\.md:10: --no-such-gpu-flag is not an option of deno task bench /,
      // The tasks' own parsers refuse the same flags, each named at its first use.
      /^fixture\.md:1: deno task sweep --made-up-flag: error: --made-up-flag: unknown flag/,
      /^fixture\.md:6: deno task report --no-such-option: error: --no-such-option: unknown flag/,
      /^fixture\.md:9: deno task report --bogus: error: --bogus: unknown flag/,
      /^fixture\.md:10: deno task bench --no-such-gpu-flag: error: --no-such-gpu-flag: unknown flag/,
    ];
    assertEquals(problems.length, expected.length, problems.join("\n"));
    problems.forEach((p, i) => assertMatch(p, expected[i]!));
  },
});

Deno.test({
  name: "relative links and images of README.md and docs/*.md point at files and headings that exist",
  permissions: { read: true },
  async fn() {
    const anchorsIn = anchorReader();
    const problems: string[] = [];
    let links = 0;
    for (const file of await docFiles()) {
      const text = await Deno.readTextFile(join(ROOT, file));
      links += [...withoutCode(text).matchAll(/\]\((?!https?:)/g)].length;
      problems.push(...await linkProblems(file, text, anchorsIn));
    }
    assert(links > 40, `only ${links} relative links found`);
    assertEquals(problems, []);
  },
});

Deno.test({
  name: "a link to a missing file or heading is caught; code spans and blocks are not read as links",
  permissions: { read: true },
  async fn() {
    const markdown = [
      "# Kinds of GAN",
      "## The DCGAN on colour emoji (`experiments/study-colour-dcgan.ts`)",
      "## Kinds of GAN",
      "See [the kinds](#kinds-of-gan), [the second](#kinds-of-gan-1), [the study](#the-dcgan-on-colour-emoji-experimentsstudy-colour-dcgants),",
      "[the datasets](datasets.md) and ![a screenshot](report-screenshot.png), [up](../README.md#quick-start),",
      "[the web](https://example.com/nope.md). Broken: [gone](nope.md), [no heading](#no-such-heading),",
      "![no image](missing.png), [no anchor there](../README.md#no-such-section).",
      "`[not a link](nope.md)`",
      "```",
      "[not a link either](nope.md)",
      "```",
    ].join("\n");
    const problems = await linkProblems("docs/fixture.md", markdown, anchorReader({ "docs/fixture.md": markdown }));
    assertEquals(problems, [
      "docs/fixture.md:6: nope.md: docs/nope.md does not exist",
      "docs/fixture.md:6: #no-such-heading: no heading #no-such-heading in docs/fixture.md",
      "docs/fixture.md:7: missing.png: docs/missing.png does not exist",
      "docs/fixture.md:7: ../README.md#no-such-section: no heading #no-such-section in README.md",
    ]);
  },
});
