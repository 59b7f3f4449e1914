/**
 * What an architecture builds, layer by layer, in words: a run records its networks' fingerprint in
 * `config.json`, and a later sweep compares, so an architecture edited in its experiment file (its name, and so
 * the run's id, unchanged) is not resumed from, or reported done with, the old one's weights.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { canonicalJson } from "../canonical_json.ts";
import { type ArchContext, requireArch } from "./registry.ts";

/** Each network's layers: class, options (all but the name) and output shape, one line per layer. */
export interface ArchFingerprint {
  generator: string[];
  discriminator: string[];
}

/** Build the architecture's two networks for `ctx`, describe them and dispose them. */
export function archFingerprint(arch: string, ctx: ArchContext, energy = false): ArchFingerprint {
  const a = requireArch(arch, "config.arch");
  const describe = (model: tf.LayersModel) => {
    try {
      return model.layers.map(layerWords);
    } finally {
      model.dispose();
    }
  };
  return { generator: describe(a.generator(ctx)), discriminator: describe(a.discriminator(ctx, energy)) };
}

function layerWords(layer: tf.layers.Layer): string {
  const { name: _name, ...options } = layer.getConfig();
  return `${layer.getClassName()} ${canonicalJson(options)} → ${JSON.stringify(layer.outputShape)}`;
}

/**
 * How `now` differs from `before`, in words (the first layer that differs, or the layer counts).
 * @returns null when they are the same.
 */
export function fingerprintChange(before: ArchFingerprint, now: ArchFingerprint): string | null {
  for (const role of ["generator", "discriminator"] as const) {
    const [was, is] = [before[role] ?? [], now[role]];
    const i = was.findIndex((line, k) => line !== is[k]);
    if (i >= 0 && i < is.length) return `${role} layer ${i + 1}: ${layerChange(was[i]!, is[i]!)}`;
    if (was.length !== is.length) return `${role} had ${was.length} layers, has ${is.length} now`;
  }
  return null;
}

/** One layer's change in words: its class, or the options and output shape that differ (`units 16 → 32`). */
function layerChange(was: string, is: string): string {
  const parse = (line: string) => {
    const [head, shape] = line.split(" → ");
    const space = head!.indexOf(" ");
    const options = (() => {
      try {
        return JSON.parse(head!.slice(space + 1)) as Record<string, unknown>;
      } catch {
        return {};
      }
    })();
    return { cls: head!.slice(0, space), options, shape };
  };
  const [a, b] = [parse(was), parse(is)];
  if (a.cls !== b.cls) return `was ${a.cls}, is now ${b.cls}`;
  const keys = [...new Set([...Object.keys(a.options), ...Object.keys(b.options)])];
  const show = (v: unknown) => JSON.stringify(v) ?? "unset";
  const diffs = keys.filter((k) => show(a.options[k]) !== show(b.options[k]))
    .map((k) => `${k} ${show(a.options[k])} → ${show(b.options[k])}`);
  if (a.shape !== b.shape) diffs.push(`output ${a.shape} → ${b.shape}`);
  return `${a.cls} ${diffs.join(", ")}`;
}
