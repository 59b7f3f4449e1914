/**
 * The one notebook output a running sweep keeps up to date: a table of its runs (state, step, last losses, speed,
 * ETA) and their loss curves so far, replaced in place (`update_display_data`) at most once a second, and once more
 * when the sweep ends.
 * @module
 */
import { Buffer } from "node:buffer";
import { CHART_CONFIG, type ChartSpec } from "../report/specs.ts";
import { escapeHtml } from "../report/escape.ts";
import { formatDuration } from "../cli/duration.ts";
import type { RunState } from "../results/read_results.ts";
import { DisplayHandle, type JupyterApi, jupyterKernel, type MediaBundle } from "./jupyter.ts";
import type { SweepEvent } from "./sweep_events.ts";
import { type CellTable, tableHtml, tableText } from "./text_table.ts";
import { lateImport } from "../late_import.ts";

/** What the view knows of one run. */
interface LiveRun {
  runId: string;
  label: string;
  state: RunState | "queued" | "training";
  step: number;
  totalSteps: number;
  dLoss?: number;
  gLoss?: number;
  msPerStep: number;
  /** Loss points seen so far (at most {@linkcode MAX_POINTS}, thinned evenly). */
  points: { step: number; dLoss: number; gLoss: number }[];
  message?: string;
}

/** Points kept per run for the curves: enough for a smooth line, few enough to redraw quickly. */
const MAX_POINTS = 300;
/** Log lines kept under the table. */
const MAX_NOTES = 6;

let views = 0;

/** Keep every other point once there are too many (the curve keeps its shape). */
function thinned<T>(points: T[]): T[] {
  return points.length <= MAX_POINTS ? points : points.filter((_, i) => i % 2 === 0);
}

/** A sweep's live output in a notebook; outside a notebook it draws nothing. */
export class LiveView {
  readonly #handle: DisplayHandle;
  readonly #runs = new Map<string, LiveRun>();
  readonly #notes: string[] = [];
  readonly #everyMs: number;
  #title = "sweep";
  #jobs = 1;
  #started = performance.now();
  #lastDraw = -Infinity;
  #drawing: Promise<void> | null = null;
  #dirty = false;
  #finished = false;

  /**
   * @param everyMs Least time between two redraws (default 1 s).
   * @param kernel Where the output goes (default: this kernel's `Deno.jupyter`, none outside a notebook).
   */
  constructor(everyMs = 1000, kernel: JupyterApi | null = jupyterKernel()) {
    this.#everyMs = everyMs;
    this.#handle = new DisplayHandle(`gan-harness-sweep-${Date.now().toString(36)}-${views++}`, kernel);
  }

  /** Whether a notebook shows the view. */
  get live(): boolean {
    return this.#handle.live;
  }

  /** Take in one event of the sweep, redrawing when due. */
  receive(event: SweepEvent): void {
    switch (event.type) {
      case "planned":
        this.#title = event.experiment;
        this.#jobs = event.jobs ?? (navigator.hardwareConcurrency || 1);
        this.#started = performance.now();
        for (const r of event.runs) {
          this.#runs.set(r.runId, {
            runId: r.runId,
            label: Object.entries(r.gridValues).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ") || r.runId,
            state: r.state === "pending" ? "queued" : r.state,
            step: r.step,
            totalSteps: r.totalSteps,
            msPerStep: 0,
            points: [],
          });
        }
        break;
      case "progress": {
        const p = event.progress;
        const run = this.#runs.get(p.runId);
        if (!run) break;
        run.state = "training";
        run.step = p.step;
        run.totalSteps = p.totalSteps;
        run.msPerStep = p.msPerStep;
        if (p.dLoss !== undefined && p.gLoss !== undefined && (run.dLoss !== p.dLoss || run.gLoss !== p.gLoss)) {
          run.points = thinned([...run.points, { step: p.step, dLoss: p.dLoss, gLoss: p.gLoss }]);
        }
        if (p.dLoss !== undefined) run.dLoss = p.dLoss;
        if (p.gLoss !== undefined) run.gLoss = p.gLoss;
        break;
      }
      case "log":
        this.#notes.push(event.message);
        if (this.#notes.length > MAX_NOTES) this.#notes.shift();
        break;
      case "run-ended": {
        const run = this.#runs.get(event.runId);
        if (!run) break;
        run.message = event.message.slice(event.runId.length + 2);
        break;
      }
      case "finished":
        this.#finished = true;
        for (const r of event.summary.results) {
          const run = this.#runs.get(r.runId);
          if (!run) continue;
          run.state = r.status === "skipped" || r.status === "locked" ? run.state : r.status;
          if (r.step !== undefined) run.step = r.step;
        }
        for (const run of this.#runs.values()) if (run.state === "training") run.state = "stopped";
        break;
    }
    this.#schedule();
  }

  /** Mark a run's end state (from its `status.json`) once it is known. */
  ended(runId: string, state: RunState): void {
    const run = this.#runs.get(runId);
    if (run) run.state = state;
    this.#schedule();
  }

  /** Draw now (waiting for a draw under way), so the output shows the end of the sweep. */
  async flush(): Promise<void> {
    if (!this.live) return;
    await this.#drawing;
    this.#dirty = false;
    await this.#draw();
  }

  #schedule(): void {
    if (!this.live) return;
    this.#dirty = true;
    if (this.#drawing !== null || performance.now() - this.#lastDraw < this.#everyMs) return;
    this.#dirty = false;
    this.#drawing = this.#draw().finally(() => {
      this.#drawing = null;
      if (this.#dirty) setTimeout(() => this.#schedule(), this.#everyMs);
    });
  }

  async #draw(): Promise<void> {
    this.#lastDraw = performance.now();
    await this.#handle.set(await this.bundle());
  }

  /** The view now, as a MIME bundle: HTML (table, curves, notes) and the same table as text. */
  async bundle(): Promise<MediaBundle> {
    const table = this.#table();
    const curves = await this.#curvesSvg();
    const img = curves === null
      ? ""
      : `<div><img alt="loss curves" src="data:image/svg+xml;base64,${Buffer.from(curves).toString("base64")}"></div>`;
    const notes = this.#notes.length
      ? `<pre style="font-size:smaller;color:#555">${escapeHtml(this.#notes.join("\n"))}</pre>`
      : "";
    return {
      "text/html": `<div class="gan-harness-sweep">${
        tableHtml(table, ' class="gan-harness-live"')
      }${img}${notes}</div>`,
      "text/plain": tableText(table),
    };
  }

  #table(): CellTable {
    const runs = [...this.#runs.values()];
    const count = (s: string) => runs.filter((r) => r.state === s).length;
    const left = runs.filter((r) => r.state === "queued" || r.state === "training");
    const active = runs.filter((r) => r.state === "training" && r.msPerStep > 0);
    const ms = active.length ? active.reduce((a, r) => a + r.msPerStep, 0) / active.length : 0;
    const remaining = left.reduce((a, r) => a + Math.max(0, r.totalSteps - r.step), 0);
    const eta = !this.#finished && ms > 0 ? `, ETA ${formatDuration((remaining * ms) / 1000 / this.#jobs)}` : "";
    const states = ["training", "queued", "completed", "diverged", "collapsed", "pruned", "stopped", "failed"]
      .filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`).join(", ");
    const elapsed = formatDuration((performance.now() - this.#started) / 1000);
    const num = (v: number | undefined) => v === undefined ? "—" : v.toFixed(4);
    return {
      title: `${this.#title}: ${runs.length} runs — ${states} — ${
        this.#finished ? "took" : "elapsed"
      } ${elapsed}${eta}`,
      head: ["run", "state", "step", "D loss", "G loss", "ms/step", "ETA"],
      rows: runs.map((r) => [
        r.label,
        r.message !== undefined && r.state !== "training" ? r.message : r.state,
        `${r.step}/${r.totalSteps}`,
        num(r.dLoss),
        num(r.gLoss),
        r.msPerStep > 0 ? r.msPerStep.toFixed(0) : "—",
        r.state === "training" && r.msPerStep > 0
          ? formatDuration(((r.totalSteps - r.step) * r.msPerStep) / 1000)
          : "—",
      ]),
    };
  }

  /** The loss curves so far as SVG (D and G side by side, a colour per run), or null before the first point. */
  async #curvesSvg(): Promise<string | null> {
    const values = [...this.#runs.values()].flatMap((r) =>
      r.points.flatMap((p) => [
        { run: r.label, step: p.step, loss: p.dLoss, network: "D loss" },
        { run: r.label, step: p.step, loss: p.gLoss, network: "G loss" },
      ])
    );
    if (values.length === 0) return null;
    const spec: ChartSpec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      config: CHART_CONFIG,
      data: { values },
      facet: { column: { field: "network", type: "nominal", title: null } },
      spec: {
        width: 300,
        height: 160,
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x: { field: "step", type: "quantitative" },
          y: { field: "loss", type: "quantitative", title: null },
          color: { field: "run", type: "nominal", scale: { scheme: "tableau10" }, legend: { orient: "bottom" } },
        },
      },
      resolve: { scale: { y: "independent" } },
    };
    const { renderSvg } = await lateImport<typeof import("../report/svg.ts")>(
      new URL("../report/svg.ts", import.meta.url),
    );
    try {
      return await renderSvg(spec);
    } catch {
      return null;
    }
  }
}
