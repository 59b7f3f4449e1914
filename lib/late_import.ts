/**
 * Importing a module of the harness only when it is needed (the training code once training starts, jimp once a
 * set must be decoded, the report's renderers once a chart is drawn).
 *
 * `import("./x.ts")` with a plain string does not do that in Deno: the module is part of the graph Deno prepares at
 * start-up, read and its npm packages resolved even when the branch is never taken (the training code's graph costs
 * about 0.8 s that way: measured with a script whose only line is an untaken `import("lib/sweep/sweep.ts")`, 0.8–1.0 s
 * against 0.05 s for an empty one). Through a URL, it is not in that graph, so it costs nothing until it runs.
 * @module
 */

/**
 * Import the module at `url` now.
 * @typeParam M the module's type: `typeof import("./x.ts")`, which is checked but loads nothing.
 * @example `const { runSweep } = await lateImport<typeof import("./sweep.ts")>(new URL("./sweep.ts", import.meta.url));`
 */
export function lateImport<M>(url: URL): Promise<M> {
  return import(url.href);
}
