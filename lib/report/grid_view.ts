/**
 * Which grid keys vary, how their values read, and which key goes to which
 * visual channel (facet, colour, heatmap axes).
 * @module
 */
import { InputError } from "../input_error.ts";

/** One grid key as the report shows it. */
export interface GridDim {
  /** The config key, e.g. `lr`. */
  key: string;
  /** A safe field name for chart data (`g0`, `g1`, …), never user text. */
  field: string;
  /** Display labels of the values, in declaration order. */
  labels: string[];
}

/** The grid, split by role. */
export interface GridView {
  /** Every grid key, in declaration order. */
  dims: GridDim[];
  /** Keys with more than one value, except the seed: the compared keys. */
  compare: GridDim[];
  /** The `seed` key when it has several values (runs are aggregated over it). */
  seed: GridDim | null;
}

/** Name of the grid key whose values are repeats, not conditions. */
export const SEED_KEY = "seed";

/**
 * The label of a grid value: numbers as JavaScript prints them (`0.0002`,
 * `1e-7`), strings as they are, anything else as JSON.
 *
 * @param value A grid value.
 * @returns Its label.
 */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (value === undefined) return "—";
  return JSON.stringify(value) ?? String(value);
}

/**
 * Split a grid into compared keys and seeds.
 *
 * @param grid `experiment.json`'s `grid`.
 * @returns The grid's keys with labels and roles.
 */
export function gridView(grid: Record<string, unknown[]>): GridView {
  const dims = Object.entries(grid).map(([key, values], i) => ({
    key,
    field: `g${i}`,
    labels: [
      ...new Set((Array.isArray(values) ? values : []).map(formatValue)),
    ],
  }));
  const varying = dims.filter((d) => d.labels.length > 1);
  return {
    dims,
    compare: varying.filter((d) => d.key !== SEED_KEY),
    seed: varying.find((d) => d.key === SEED_KEY) ?? null,
  };
}

/** The report's name for a search's configuration: one value per distinct set of searched values. */
export const SEARCHED_KEY = "searched";

/**
 * The grid as the report compares it: the experiment's grid, plus, when runs carry values the grid does not list (a
 * search's trials, a seeds phase's seeds), a `searched` key whose value names each run's searched values
 * (`lr=0.0012 beta1=0.31`) and a `seed` key with the seeds seen. Each trial is then its own configuration, and only
 * the seeds of one configuration are pooled. The runs come back with those values among their `gridValues`.
 * @example
 * ```ts
 * import { searchedGrid } from "./grid_view.ts";
 * const { grid } = searchedGrid({ loss: ["bce"] }, [{ gridValues: { loss: "bce", lr: 0.001 } }]);
 * grid.searched; // ["lr=0.001"]
 * ```
 */
export function searchedGrid<R extends { gridValues: Record<string, unknown> }>(
  grid: Record<string, unknown[]>,
  runs: readonly R[],
): { grid: Record<string, unknown[]>; runs: R[] } {
  const extra = (r: R) => Object.keys(r.gridValues).filter((k) => !(k in grid) && k !== SEED_KEY && k !== SEARCHED_KEY);
  const seeds = [...new Set(runs.map((r) => r.gridValues[SEED_KEY]).filter((v) => v !== undefined))];
  if (!runs.some((r) => extra(r).length > 0) && (SEED_KEY in grid || seeds.length < 2)) {
    return { grid, runs: [...runs] };
  }
  const label = (r: R) => extra(r).map((k) => `${k}=${formatValue(r.gridValues[k])}`).join(" ") || "—";
  const out = runs.map((r) => ({ ...r, gridValues: { ...r.gridValues, [SEARCHED_KEY]: label(r) } }));
  const labels = [...new Set(out.map((r) => r.gridValues[SEARCHED_KEY] as string))];
  const withSeeds = SEED_KEY in grid || seeds.length < 2 ? {} : { [SEED_KEY]: seeds };
  return { grid: { ...grid, [SEARCHED_KEY]: labels, ...withSeeds }, runs: out };
}

/** Which compared key goes to facets, which to colour; the others follow. */
export interface ChartLayout {
  /** Column facets (small multiples), or none. */
  facet: GridDim | null;
  /** Line colour, or none (one colour). */
  color: GridDim | null;
  /** Compared keys on neither: told apart by dash (lines) or rows (matrices). */
  rest: GridDim[];
}

function findDim(view: GridView, key: string, flag: string): GridDim {
  const dim = view.dims.find((d) => d.key === key);
  if (dim === undefined) {
    const known = view.dims.map((d) => d.key).join(", ") || "none";
    throw new InputError(flag, `cannot use '${key}': it is not a grid key (grid keys: ${known})`);
  }
  return dim;
}

function byValueCount(view: GridView): GridDim[] {
  return [...view.compare].sort((a, b) => b.labels.length - a.labels.length);
}

/**
 * Pick the facet and colour keys. Defaults: with two or more compared keys,
 * facet by the one with most values and colour by the next; with one, colour
 * by it and no facets.
 *
 * @param view The grid.
 * @param choice Keys the user asked for (`--facet`, `--color`).
 * @returns The layout.
 * @throws {InputError} When a requested key is not a grid key.
 */
export function chooseLayout(
  view: GridView,
  choice: { facet?: string | undefined; color?: string | undefined } = {},
): ChartLayout {
  const ranked = byValueCount(view);
  let facet: GridDim | null = choice.facet === undefined ? null : findDim(view, choice.facet, "--facet");
  let color: GridDim | null = choice.color === undefined ? null : findDim(view, choice.color, "--color");
  const free = () => ranked.filter((d) => d !== facet && d !== color);
  if (choice.facet === undefined && choice.color === undefined) {
    if (ranked.length === 1) color = ranked[0] ?? null;
    else {
      facet = ranked[0] ?? null;
      color = ranked[1] ?? null;
    }
  } else if (choice.color === undefined) {
    color = free()[0] ?? null;
  } else if (choice.facet === undefined && ranked.length > 1) {
    facet = free()[0] ?? null;
  }
  return { facet, color, rest: free() };
}

/**
 * Pick the heatmap's axes: the two compared keys with most values, or the
 * keys asked for.
 *
 * @param view The grid.
 * @param keys Keys the user asked for (`--heatmap x,y`).
 * @returns The x and y dimensions (null where the grid has too few keys) and
 * the compared keys left over, shown as heatmap facets.
 * @throws {InputError} When a requested key is not a grid key.
 */
export function chooseHeatmapDims(
  view: GridView,
  keys: string[] = [],
): { x: GridDim | null; y: GridDim | null; rest: GridDim[] } {
  const picked = keys.map((k) => findDim(view, k, "--heatmap"));
  const ranked = byValueCount(view).filter((d) => !picked.includes(d));
  const axes = [...picked, ...ranked];
  const x = axes[0] ?? null;
  const y = axes[1] ?? null;
  return { x, y, rest: view.compare.filter((d) => d !== x && d !== y) };
}

/**
 * A run's grid labels keyed by safe field name (`g0` → `"0.01"`).
 *
 * @param view The grid.
 * @param gridValues The run's grid values.
 * @returns Labels by field.
 */
export function runFields(
  view: GridView,
  gridValues: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of view.dims) out[d.field] = formatValue(gridValues[d.key]);
  return out;
}

/**
 * `key=value` pairs of some dimensions, joined with ` · ` (or `all` when none).
 *
 * @param dims The dimensions to name.
 * @param gridValues The run's grid values.
 * @returns A compact label.
 */
export function comboLabel(
  dims: readonly GridDim[],
  gridValues: Record<string, unknown>,
): string {
  if (dims.length === 0) return "all";
  return dims.map((d) => `${d.key}=${formatValue(gridValues[d.key])}`).join(
    " · ",
  );
}
