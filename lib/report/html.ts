/**
 * The report page: one self-contained HTML document.
 * @module
 */
import { escapeHtml as h, jsonForScript } from "./escape.ts";
import type { ChartSpec } from "./specs.ts";

/** A chart placed on the page. */
export interface PageChart {
  /** Element id (letters, digits, `-`). */
  id: string;
  spec: ChartSpec;
  /** Hidden at first (the other half of a toggle). */
  hidden?: boolean;
}

/** One cell of an image matrix. */
export interface MatrixImage {
  /** `src`, or null when the run has no image there. */
  src: string | null;
  caption: string;
  /** Run state, shown as a badge when not completed. */
  state: string;
  title: string;
}

/** A matrix of images over the grid: columns × rows, several images per cell. */
export interface ImageMatrix {
  title: string;
  columnTitle: string | null;
  columns: string[];
  rows: { label: string; cells: MatrixImage[][] }[];
  /** CSS class for the images (`sample` or `gif`). */
  kind: string;
}

/** A plain table: header cells and body rows of text (escaped on output). */
export interface TextTable {
  head: string[];
  rows: { cells: string[]; state?: string; details?: string }[];
}

/** Everything the page shows, prepared. */
export interface PageModel {
  title: string;
  description: string;
  facts: [label: string, value: string][];
  grid: TextTable;
  statusCounts: [state: string, count: number][];
  warnings: string[];
  problems: TextTable;
  sections: PageSection[];
  footer: string;
}

/** A section: a heading, a note, and charts, tables, matrices or toggles. */
export interface PageSection {
  id: string;
  title: string;
  note?: string;
  items: PageItem[];
}

/** Something in a section. */
export type PageItem =
  | { kind: "chart"; chart: PageChart }
  | {
    kind: "toggle";
    name: string;
    options: { label: string; chart: PageChart }[];
    selected: number;
  }
  | { kind: "table"; table: TextTable }
  | { kind: "matrix"; matrix: ImageMatrix }
  | { kind: "text"; text: string };

const STYLE = `
:root { --fg:#1d1d1f; --muted:#666; --line:#e3e3e3; --bg:#fafafa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 Helvetica, Arial, "Liberation Sans", sans-serif; color: var(--fg); margin: 0; background: white; }
main { max-width: 1400px; margin: 0 auto; padding: 20px 28px 60px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 34px 0 6px; padding-top: 10px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.desc { margin: 0 0 12px; color: #333; max-width: 900px; }
.note { color: var(--muted); font-size: 13px; margin: 0 0 10px; max-width: 900px; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 8px 0 12px; font-size: 13px; }
.facts b { color: var(--muted); font-weight: normal; margin-right: 4px; }
.top { display: flex; flex-wrap: wrap; gap: 12px 36px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 10px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badges { display: flex; gap: 8px; flex-wrap: wrap; margin: 6px 0; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px; border: 1px solid transparent; white-space: nowrap; }
.s-completed { background: #e5f4e8; color: #185c2a; }
.s-running { background: #e6effa; color: #17457c; }
.s-stopped { background: #efe9f7; color: #4b2a7a; }
.s-diverged { background: #fdf0dc; color: #8a4b00; }
.s-failed { background: #fbe4e4; color: #8f1d1d; }
.s-damaged { background: #fbe4e4; color: #8f1d1d; }
.s-pending { background: #eee; color: #555; }
.s-reproduced { background: #e5f4e8; color: #185c2a; }
.s-not-reproduced { background: #fbe4e4; color: #8f1d1d; }
.s-inconclusive { background: #fdf0dc; color: #8a4b00; }
.badge.zero { opacity: .45; }
.warnings { background: #fff8e1; border: 1px solid #f0d58a; border-radius: 6px; padding: 8px 14px; margin: 12px 0; font-size: 13px; }
.warnings ul { margin: 4px 0; padding-left: 18px; }
.chart { margin: 6px 0 14px; overflow-x: auto; }
.chart, .chart.vega-embed { display: block; }
.chart.hidden { display: none; }
.chart-error { color: #8f1d1d; font-family: monospace; }
.toggle { display: inline-flex; border: 1px solid #bbb; border-radius: 6px; overflow: hidden; margin: 4px 0 8px; }
.toggle label { padding: 3px 12px; cursor: pointer; font-size: 13px; }
.toggle input { display: none; }
.toggle input:checked + span { font-weight: 600; }
.toggle label:has(input:checked) { background: #e9eef6; }
.matrices { display: flex; flex-wrap: wrap; gap: 0 24px; align-items: flex-start; }
.matrix td, .matrix th { border: 1px solid var(--line); text-align: center; }
.matrix th.rowhead { text-align: left; font-weight: normal; background: var(--bg); white-space: nowrap; }
.cell { display: flex; gap: 6px; justify-content: center; flex-wrap: wrap; }
figure { margin: 2px; }
figure img.sample, figure img.gif { width: auto; min-width: 100px; max-width: 160px; height: auto; image-rendering: pixelated; display: block; border: 1px solid #ddd; }
figure.bad img { border: 2px solid #d9822b; }
figure.failed img { border: 2px solid #c23030; }
figcaption { font-size: 11px; color: var(--muted); max-width: 150px; }
.missing { width: 122px; height: 60px; display: flex; align-items: center; justify-content: center; color: #999; font-size: 12px; background: var(--bg); border: 1px dashed #ccc; }
details pre { white-space: pre-wrap; font-size: 12px; background: var(--bg); padding: 6px; margin: 4px 0; max-width: 700px; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
`;

const SCRIPT = `
(function () {
  var nodes = document.querySelectorAll('script[type="application/json"][data-chart]');
  var jobs = [];
  nodes.forEach(function (node) {
    var target = document.getElementById(node.getAttribute('data-chart'));
    var spec = JSON.parse(node.textContent);
    jobs.push(vegaEmbed(target, spec, {
      renderer: 'svg',
      actions: { export: true, source: false, compiled: false, editor: false },
    }).catch(function (err) {
      console.error('chart ' + target.id + ': ' + err);
      var p = document.createElement('p');
      p.className = 'chart-error';
      p.textContent = 'Chart failed to render: ' + err;
      target.appendChild(p);
      throw err;
    }));
  });
  Promise.allSettled(jobs).then(function (results) {
    var ok = results.filter(function (r) { return r.status === 'fulfilled'; }).length;
    document.body.setAttribute('data-charts-rendered', String(ok));
    document.body.setAttribute('data-charts-failed', String(results.length - ok));
  });
  document.querySelectorAll('.toggle input').forEach(function (input) {
    input.addEventListener('change', function () {
      document.querySelectorAll('input[name="' + input.name + '"]').forEach(function (other) {
        var el = document.getElementById(other.value);
        if (el) el.classList.toggle('hidden', !other.checked);
      });
    });
  });
})();
`;

function table(t: TextTable, cls = ""): string {
  const head = t.head.map((c) => `<th>${h(c)}</th>`).join("");
  const body = t.rows.map((r) => {
    const cells = r.cells.map((c, i) => {
      const numeric = i > 0 && /^[-+−]?[\d.]+(e[-+]?\d+)?( ± .*)?$/.test(c);
      const isState = r.state !== undefined && c === r.state;
      const content = isState ? `<span class="badge s-${h(c.replace(/\W+/g, "-"))}">${h(c)}</span>` : h(c);
      return `<td${numeric ? ' class="num"' : ""}>${content}</td>`;
    });
    if (r.details !== undefined) {
      const last = cells.pop() ?? "<td></td>";
      cells.push(
        last.replace(
          /<\/td>$/,
          `<details><summary>details</summary><pre>${h(r.details)}</pre></details></td>`,
        ),
      );
    }
    return `<tr>${cells.join("")}</tr>`;
  }).join("\n");
  return `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The element id of a chart: prefixed so it cannot clash with a section id. */
export function chartElementId(id: string): string {
  return `chart-${id}`;
}

function chart(c: PageChart, withSpec: boolean): string {
  const id = h(chartElementId(c.id));
  const hidden = c.hidden ? " hidden" : "";
  const div = `<div class="chart${hidden}" id="${id}"></div>`;
  return withSpec ? div + `<script type="application/json" data-chart="${id}">${jsonForScript(c.spec)}</script>` : div;
}

function figure(img: MatrixImage, cls: string): string {
  const bad = img.state === "diverged" || img.state === "running" || img.state === "stopped"
    ? " bad"
    : img.state === "failed" || img.state === "damaged"
    ? " failed"
    : "";
  const body = img.src === null
    ? `<div class="missing">no image</div>`
    : `<img class="${h(cls)}" src="${h(img.src)}" alt="${h(img.title)}" title="${h(img.title)}">`;
  return `<figure class="${bad.trim()}">${body}<figcaption>${h(img.caption)}</figcaption></figure>`;
}

function matrix(m: ImageMatrix): string {
  const head = `<tr><th></th>${m.columns.map((c) => `<th>${h(c)}</th>`).join("")}</tr>`;
  const rows = m.rows.map((r) =>
    `<tr><th class="rowhead">${h(r.label)}</th>${
      r.cells.map((cell) => `<td><div class="cell">${cell.map((i) => figure(i, m.kind)).join("")}</div></td>`).join("")
    }</tr>`
  ).join("\n");
  const caption = m.columnTitle === null ? "" : `<p class="note">columns: ${h(m.columnTitle)}</p>`;
  return `<div class="matrix-block"><h3>${h(m.title)}</h3>${caption}<table class="matrix">${head}${rows}</table></div>`;
}

/** Items in order, with runs of image matrices set side by side (training reads left to right). */
function items(list: readonly PageItem[], withSpecs: boolean): string {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length > 0) out.push(`<div class="matrices">${run.join("\n")}</div>`);
    run = [];
  };
  for (const it of list) {
    if (it.kind === "matrix") {
      run.push(item(it, withSpecs));
    } else {
      flush();
      out.push(item(it, withSpecs));
    }
  }
  flush();
  return out.join("\n");
}

function item(it: PageItem, withSpecs: boolean): string {
  switch (it.kind) {
    case "chart":
      return chart(it.chart, withSpecs);
    case "table":
      return table(it.table);
    case "matrix":
      return matrix(it.matrix);
    case "text":
      return `<p class="note">${h(it.text)}</p>`;
    case "toggle": {
      const radios = it.options.map((o, i) =>
        `<label><input type="radio" name="${h(it.name)}" value="${h(chartElementId(o.chart.id))}"${
          i === it.selected ? " checked" : ""
        }><span>${h(o.label)}</span></label>`
      ).join("");
      const charts = it.options.map((o, i) => chart({ ...o.chart, hidden: i !== it.selected }, withSpecs))
        .join("");
      return `<div class="toggle" role="radiogroup">${radios}</div>${charts}`;
    }
  }
}

/** The parts of the page a live report replaces one by one. */
export interface PageRegions {
  /** Title, description, facts, grid and run-state badges. */
  header: string;
  warnings: string;
  /** The "Runs that did not complete" table. */
  problems: string;
  /** Each section, by id. */
  sections: { id: string; html: string }[];
  footer: string;
}

/**
 * The page's regions as HTML. Every text from experiment files is escaped.
 *
 * @param model What to show.
 * @param withSpecs Place each chart's spec beside it (the static page); false leaves empty chart elements that a
 *   live page fills.
 * @returns The regions.
 */
export function renderRegions(model: PageModel, withSpecs: boolean): PageRegions {
  const facts = model.facts.map(([k, v]) => `<span><b>${h(k)}</b>${h(v)}</span>`).join("");
  const badges = model.statusCounts.map(([s, n]) =>
    `<span class="badge s-${h(s)}${n === 0 ? " zero" : ""}">${h(s)}: ${n}</span>`
  ).join("");
  const warnings = model.warnings.length === 0
    ? ""
    : `<div class="warnings"><b>${
      model.warnings.length === 1 ? "1 warning" : `${model.warnings.length} warnings`
    }</b><ul>${model.warnings.map((w) => `<li>${h(w)}</li>`).join("")}</ul></div>`;
  const problems = model.problems.rows.length === 0
    ? ""
    : `<h2 id="problems">Runs that did not complete</h2>${table(model.problems)}`;
  const header = `<h1>${h(model.title)}</h1>
${model.description ? `<p class="desc">${h(model.description)}</p>` : ""}
<div class="facts">${facts}</div>
<div class="top"><div><h3>Grid</h3>${
    table(model.grid)
  }</div><div><h3>Runs</h3><div class="badges">${badges}</div></div></div>`;
  const sections = model.sections.map((s) => ({
    id: s.id,
    html: `<h2>${h(s.title)}</h2>${s.note === undefined ? "" : `<p class="note">${h(s.note)}</p>`}${
      items(s.items, withSpecs)
    }`,
  }));
  return { header, warnings, problems, sections, footer: h(model.footer) };
}

/** The page's `<style>` rules. */
export const PAGE_STYLE: string = STYLE;

/**
 * Render the page. Every text from experiment files is escaped; chart specs
 * sit in JSON script elements that cannot close early.
 *
 * @param model What to show.
 * @param vegaBuilds The Vega, Vega-Lite and Vega-Embed sources (already safe for `<script>`).
 * @returns The HTML document.
 */
export function renderPage(
  model: PageModel,
  vegaBuilds: readonly string[],
): string {
  const r = renderRegions(model, true);
  const sections = r.sections.map((s) => `<section id="section-${h(s.id)}">${s.html}</section>`).join("\n");
  const scripts = vegaBuilds.map((src) => `<script>${src}</script>`).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(model.title)} — GAN sweep report</title>
<style>${STYLE}</style>
${scripts}
</head>
<body>
<main>
<header>
${r.header}
</header>
${r.warnings}
${r.problems}
${sections}
<footer>${r.footer}</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
