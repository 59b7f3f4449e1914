/**
 * Grid expansion: the cartesian product of a grid's value lists.
 * @module
 */

/**
 * Every combination of the grid's values, in declaration order with the last
 * key varying fastest. An empty grid gives one empty point.
 *
 * @example
 * ```ts
 * import { expandGrid } from "./grid.ts";
 * expandGrid({ lr: [0.01, 0.0002], seed: [1, 2] }).length; // 4
 * ```
 */
export function expandGrid(
  grid: Record<string, readonly unknown[]>,
): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}
