/**
 * What a live page must be told to match the current report: the HTML regions
 * that changed, the charts whose spec changed (sent whole), and for the other
 * charts only the data rows added and removed (Vega changesets).
 * @module
 */
import type { PageRegions } from "./html.ts";
import type { ChartSpec } from "./specs.ts";

/** The live report at one moment: the page's regions and every chart's spec. */
export interface LiveModel {
  regions: PageRegions;
  charts: { id: string; spec: ChartSpec }[];
}

/** The rows to add to and remove from one named dataset of a chart. */
export interface DataChange {
  name: string;
  insert: unknown[];
  remove: unknown[];
}

/** One message to the page. */
export type LiveEvent =
  /** The sections, in page order (the page adds and drops `<section>` elements to match). */
  | { type: "sections"; ids: string[] }
  /** New HTML of a region: `header`, `warnings`, `problems`, `footer` or `section:<id>`. */
  | { type: "html"; region: string; html: string }
  /**
   * A region's HTML as an edit of the HTML it was last sent: `cut` characters at `at` replaced by `text` (sent
   * instead of `html` when most of the region is unchanged, e.g. one row of a table).
   */
  | { type: "patch"; region: string; at: number; cut: number; text: string }
  /** A chart drawn afresh from this spec (its datasets named `live_0`, `live_1`, …). */
  | { type: "spec"; id: string; spec: ChartSpec }
  /** Rows added to and removed from a chart's datasets. */
  | { type: "data"; id: string; changes: DataChange[] }
  /** A new value of a chart's top-level param (e.g. the step axis's end). */
  | { type: "signal"; id: string; name: string; value: unknown };

/** A spec whose inline datasets are named, with those datasets and the spec's shape without its rows. */
export interface NamedSpec {
  spec: ChartSpec;
  datasets: Map<string, unknown[]>;
  /** The values of its top-level params (those with a `value` and neither `bind` nor `select`). */
  params: Map<string, unknown>;
  /** The spec without its datasets' rows and those params' values: equal shapes differ only in these. */
  shape: string;
}

/**
 * Name every inline dataset of a Vega-Lite spec (`data: { values }` anywhere in it) `live_0`, `live_1`, … in
 * document order, so that a page can change its rows through the Vega view.
 *
 * @param spec The chart's spec (not modified).
 * @returns The named spec, its datasets and its shape.
 *
 * @example
 * ```ts
 * import { nameDatasets } from "./live_diff.ts";
 * const named = nameDatasets({ $schema: "", data: { values: [{ x: 1 }] }, mark: "point" });
 * named.datasets.get("live_0"); // [{ x: 1 }]
 * ```
 */
export function nameDatasets(spec: ChartSpec): NamedSpec {
  const datasets = new Map<string, unknown[]>();
  const walk = (v: unknown, key: string | null): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (typeof v !== "object" || v === null) return v;
    const obj = v as Record<string, unknown>;
    if (key === "data" && Array.isArray(obj.values)) {
      const name = `live_${datasets.size}`;
      datasets.set(name, obj.values);
      return { ...obj, name };
    }
    return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, walk(x, k)]));
  };
  const named = walk(spec, null) as ChartSpec;
  const params = new Map<string, unknown>();
  const plain = (p: unknown): p is { name: string; value: unknown } =>
    typeof p === "object" && p !== null && "name" in p && "value" in p && !("bind" in p) && !("select" in p);
  const topParams = Array.isArray(named.params) ? named.params : [];
  for (const p of topParams) if (plain(p)) params.set(p.name, p.value);
  const shape = JSON.stringify({
    ...named,
    ...(topParams.length ? { params: topParams.map((p) => plain(p) ? { name: p.name } : p) } : {}),
  }, (k, v) => (k === "values" && Array.isArray(v) ? [] : v));
  return { spec: named, datasets, params, shape };
}

/**
 * The smaller of a region's new HTML and an edit of what the page has: the text between the longest common prefix
 * and suffix of the two.
 * @param region The region.
 * @param before The HTML the page has.
 * @param after The HTML it should have.
 * @returns A `patch` event when it is under half the new HTML, else an `html` event.
 */
export function htmlChange(region: string, before: string, after: string): LiveEvent {
  const most = Math.min(before.length, after.length);
  let at = 0;
  while (at < most && before.charCodeAt(at) === after.charCodeAt(at)) at++;
  let tail = 0;
  while (
    tail < most - at && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  ) {
    tail++;
  }
  const text = after.slice(at, after.length - tail);
  if (text.length * 2 >= after.length) return { type: "html", region, html: after };
  return { type: "patch", region, at, cut: before.length - at - tail, text };
}

/**
 * The state of one connected page: what it has been sent. Each call of {@linkcode PageFeed.update} returns only
 * what changed since the last.
 */
export class PageFeed {
  #sections = "";
  #html = new Map<string, string>();
  #shapes = new Map<string, string>();
  #rows = new Map<string, Map<string, Set<string>>>();
  #params = new Map<string, Map<string, string>>();

  /**
   * The events that bring the page from what it was sent to `model`.
   * @param model The report now.
   * @returns The events, in the order the page applies them (empty when nothing changed).
   */
  update(model: LiveModel): LiveEvent[] {
    const events: LiveEvent[] = [];
    const ids = model.regions.sections.map((s) => s.id);
    if (JSON.stringify(ids) !== this.#sections) {
      this.#sections = JSON.stringify(ids);
      events.push({ type: "sections", ids });
      // a section that leaves the page takes its HTML with it: sent whole again if it comes back
      for (const region of this.#html.keys()) {
        if (region.startsWith("section:") && !ids.includes(region.slice(8))) this.#html.delete(region);
      }
    }
    const regions: [string, string][] = [
      ["header", model.regions.header],
      ["warnings", model.regions.warnings],
      ["problems", model.regions.problems],
      ...model.regions.sections.map((s) => [`section:${s.id}`, s.html] as [string, string]),
      ["footer", model.regions.footer],
    ];
    for (const [region, html] of regions) {
      const sent = this.#html.get(region);
      if (sent === html) continue;
      this.#html.set(region, html);
      events.push(sent === undefined ? { type: "html", region, html } : htmlChange(region, sent, html));
    }
    for (const c of model.charts) events.push(...this.#chart(c.id, c.spec));
    return events;
  }

  #chart(id: string, spec: ChartSpec): LiveEvent[] {
    const named = nameDatasets(spec);
    const keysOf = (rows: unknown[]) => new Set(rows.map((r) => JSON.stringify(r)));
    const paramsNow = new Map([...named.params].map(([k, v]) => [k, JSON.stringify(v)]));
    if (this.#shapes.get(id) !== named.shape) {
      this.#shapes.set(id, named.shape);
      this.#params.set(id, paramsNow);
      this.#rows.set(id, new Map([...named.datasets].map(([name, rows]) => [name, keysOf(rows)])));
      return [{ type: "spec", id, spec: named.spec }];
    }
    const events: LiveEvent[] = [];
    const paramsSent = this.#params.get(id) ?? new Map<string, string>();
    for (const [name, json] of paramsNow) {
      if (paramsSent.get(name) !== json) events.push({ type: "signal", id, name, value: named.params.get(name) });
    }
    this.#params.set(id, paramsNow);
    const sent = this.#rows.get(id) ?? new Map<string, Set<string>>();
    const changes: DataChange[] = [];
    let changed = 0;
    let total = 0;
    for (const [name, rows] of named.datasets) {
      const before = sent.get(name) ?? new Set<string>();
      const now = new Set<string>();
      const insert: unknown[] = [];
      for (const row of rows) {
        const key = JSON.stringify(row);
        if (now.has(key)) continue;
        now.add(key);
        if (!before.has(key)) insert.push(row);
      }
      const remove = [...before].filter((k) => !now.has(k)).map((k) => JSON.parse(k));
      sent.set(name, now);
      changed += insert.length + remove.length;
      total += now.size;
      if (insert.length > 0 || remove.length > 0) changes.push({ name, insert, remove });
    }
    // most rows changed (a smoothing window or thinning stride doubled): the spec is smaller than the changes
    if (changed > total) return [{ type: "spec", id, spec: named.spec }];
    if (changes.length > 0) events.push({ type: "data", id, changes });
    return events;
  }
}
