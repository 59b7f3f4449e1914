/**
 * The Deno Jupyter kernel, when this code runs in one: `Deno.jupyter.display` for outputs (with a display id, so
 * one output can be replaced in place by `update_display_data`), and the `Symbol.for("Jupyter.display")` protocol
 * that makes a value show itself as the last expression of a cell. Outside a kernel nothing here prints anything.
 * @module
 */

/** A Jupyter MIME bundle: MIME type → content (text, base64 for images, JSON for Vega-Lite). */
export type MediaBundle = Record<string, unknown>;

/** The symbol the Deno kernel looks for on a cell's last value: a method returning the value's MIME bundle. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** A value that shows itself in a notebook. */
export interface Displayable {
  /** The value's MIME bundle. */
  [JUPYTER_DISPLAY](): MediaBundle | Promise<MediaBundle>;
}

/** What this module uses of `Deno.jupyter` (present only inside `deno jupyter`). */
export interface JupyterApi {
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

/**
 * `Deno.jupyter` when this code runs in Deno's Jupyter kernel, else null.
 *
 * @returns The kernel's API, or null outside a notebook.
 * @example Outside a notebook
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { jupyterKernel } from "./jupyter.ts";
 * assertEquals(jupyterKernel(), null);
 * ```
 */
export function jupyterKernel(): JupyterApi | null {
  try {
    const api = (Deno as unknown as { jupyter?: Partial<JupyterApi> }).jupyter;
    return typeof api?.display === "function" ? api as JupyterApi : null;
  } catch {
    return null; // a getter that refuses outside the kernel
  }
}

/** Whether `value` implements the display protocol. */
export function isDisplayable(value: unknown): value is Displayable {
  return typeof value === "object" && value !== null &&
    typeof (value as Record<symbol, unknown>)[JUPYTER_DISPLAY] === "function";
}

/**
 * Show values as notebook outputs, one output each, in order (a chart, a table, a sample grid: anything this API
 * returns, or a raw MIME bundle). Outside a notebook it shows nothing and prints nothing.
 *
 * @param values What to show: values with the `Jupyter.display` protocol, or MIME bundles.
 * @example In a notebook cell
 * ```ts ignore
 * import { loadResults, reportCharts, show } from "../mod.ts";
 * const results = await loadResults("../results/quickstart");
 * await show(results.table(), ...await reportCharts(results));
 * ```
 */
export async function show(...values: (Displayable | MediaBundle)[]): Promise<void> {
  const kernel = jupyterKernel();
  if (kernel === null) return;
  for (const value of values) {
    const bundle = isDisplayable(value) ? await value[JUPYTER_DISPLAY]() : value;
    await kernel.display(bundle, { raw: true });
  }
}

/**
 * One notebook output that is replaced in place: the first {@linkcode DisplayHandle.set} makes it, each later one
 * sends `update_display_data` for the same display id. Outside a notebook every call does nothing.
 */
export class DisplayHandle {
  readonly #id: string;
  readonly #kernel: JupyterApi | null;
  #shown = false;

  /**
   * @param id The display id (unique in the kernel session).
   * @param kernel Where outputs go (default: this kernel's `Deno.jupyter`, none outside a notebook).
   */
  constructor(id: string, kernel: JupyterApi | null = jupyterKernel()) {
    this.#id = id;
    this.#kernel = kernel;
  }

  /** Whether a notebook shows this output. */
  get live(): boolean {
    return this.#kernel !== null;
  }

  /**
   * Show `bundle` in this output, replacing what it showed.
   * @param bundle The MIME bundle.
   */
  async set(bundle: MediaBundle): Promise<void> {
    if (this.#kernel === null) return;
    const update = this.#shown;
    this.#shown = true;
    await this.#kernel.display(bundle, { raw: true, display_id: this.#id, ...(update ? { update: true } : {}) });
  }
}
