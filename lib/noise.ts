/**
 * Generator noise drawn from the run's seeded generator.
 * @module
 */
import type { Rng } from "./rng.ts";

/** Fill `out` with standard normal or uniform [-1, 1) noise. */
export function fillNoise(
  rng: Rng,
  kind: "normal" | "uniform",
  out: Float32Array,
): Float32Array {
  return kind === "normal" ? rng.fillNormal(out) : rng.fillUniform(out, -1, 1);
}
