/**
 * The Vega, Vega-Lite and Vega-Embed browser builds, read from their npm
 * packages so the report works offline.
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join, SEPARATOR } from "@std/path";
import { inlineScript } from "./escape.ts";

/** Package files inlined into the report, in load order. */
export const UMD_BUILDS = [
  ["vega", "build/vega.min.js"],
  ["vega-lite", "build/vega-lite.min.js"],
  ["vega-embed", "build/vega-embed.min.js"],
] as const;

/** The package's folder: its entry point's nearest `node_modules/<name>` ancestor. */
function packageDir(require: NodeRequire, name: string): string {
  let dir: string = dirname(require.resolve(name));
  const suffix = `${SEPARATOR}node_modules${SEPARATOR}${name}`;
  while (!dir.endsWith(suffix)) {
    const up: string = dirname(dir);
    if (up === dir) {
      throw new Error(
        `Cannot find the folder of package '${name}' above ${require.resolve(name)}: the report needs the npm ` +
          `packages in node_modules/ ("nodeModulesDir": "auto" in deno.json, then \`deno install\`)`,
      );
    }
    dir = up;
  }
  return dir;
}

/**
 * The three UMD builds, each made safe to place inside `<script>`.
 *
 * @returns Their sources, in load order.
 * @throws {Error} When a package is not installed (run `deno install`).
 */
export async function readVegaBuilds(): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const out: string[] = [];
  for (const [name, file] of UMD_BUILDS) {
    const path = join(packageDir(require, name), file);
    out.push(inlineScript(await Deno.readTextFile(path)));
  }
  return out;
}
