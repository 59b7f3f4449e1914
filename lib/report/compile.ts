/**
 * Compile Vega-Lite specs to Vega, collecting the compiler's warnings
 * instead of letting it print them.
 * @module
 */
import * as vl from "vega-lite";
import type { ChartSpec } from "./specs.ts";

/** A compiled spec and what Vega-Lite warned about. */
export interface Compiled {
  /** The Vega spec. */
  vega: Record<string, unknown>;
  /** Warnings and errors logged while compiling. */
  warnings: string[];
}

function collectingLogger(out: string[]) {
  const logger = {
    level(_?: number) {
      return logger;
    },
    error(...args: unknown[]) {
      out.push(`error: ${args.join(" ")}`);
      return logger;
    },
    warn(...args: unknown[]) {
      out.push(args.join(" "));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/**
 * Compile a Vega-Lite spec, capturing warnings.
 *
 * @param spec A Vega-Lite spec.
 * @returns The Vega spec and the warnings.
 * @throws {Error} When Vega-Lite rejects the spec.
 */
export function compileSpec(spec: ChartSpec): Compiled {
  const warnings: string[] = [];
  const options = {
    logger: collectingLogger(warnings),
  } as unknown as Parameters<typeof vl.compile>[1];
  const result = vl.compile(spec as unknown as vl.TopLevelSpec, options);
  return { vega: result.spec as unknown as Record<string, unknown>, warnings };
}
