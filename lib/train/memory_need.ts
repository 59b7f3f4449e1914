/**
 * The memory a run's iteration needs at least, checked before training where the limit is known: the wasm
 * backend's heap is 4 GiB (the tfjs-backend-wasm build's 65,536 pages of 64 KiB), and a batch past it dies as a
 * wasm trap ("memory access out of bounds") mid-step.
 *
 * The bound: what is allocated when the run starts (weights, the data on the heap), Adam's two moments per weight,
 * and each network's layer outputs per image, kept for the backward pass and matched by their gradients, over a
 * batch (a discriminator's over the real and the fake batch). Measured with `tf.profile` on one iteration of each
 * built-in architecture, an iteration's peak is 1.05–2.5× that activation term: the bound refuses no batch that
 * fits.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { InputError } from "../input_error.ts";

/** The wasm backend's heap limit, in bytes. */
export const WASM_HEAP_BYTES = 65_536 * 65_536;

/** Floats per image of a network's layer outputs, summed over its layers. */
export function activationsPerImage(model: tf.LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    const shapes = (Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]) as (
      | number
      | null
    )[][];
    for (const s of shapes) n += s.slice(1).reduce((a: number, b) => a * (b ?? 1), 1);
  }
  return n;
}

/** Bytes per image of a batch: every network's activations and their gradients, a discriminator's twice. */
function bytesPerImage(networks: Readonly<Record<string, tf.LayersModel>>): number {
  return Object.entries(networks).reduce(
    (sum, [role, m]) => sum + (role.startsWith("discriminator") ? 2 : 1) * activationsPerImage(m) * 4 * 2,
    0,
  );
}

/**
 * Refuse a batch whose iteration cannot fit the wasm heap, naming the bound and the largest batch that could.
 * Other backends are not checked (the cpu backend's memory is the machine's, WebGPU's the device's).
 * @param networks The run's networks by role.
 * @param batchSize The config's batch.
 * @param backend The tfjs backend in use (default: the current one).
 * @throws {InputError} naming `config.batchSize`.
 */
export function requireBatchFits(
  networks: Readonly<Record<string, tf.LayersModel>>,
  batchSize: number,
  backend: string = tf.getBackend(),
): void {
  if (backend !== "wasm") return;
  const weights = Object.values(networks).reduce((n, m) => n + m.countParams(), 0);
  const fixed = tf.memory().numBytes + 2 * 4 * weights; // allocated now, and Adam's m and v
  const perImage = bytesPerImage(networks);
  const need = fixed + batchSize * perImage;
  if (need <= WASM_HEAP_BYTES) return;
  const largest = Math.max(0, Math.floor((WASM_HEAP_BYTES - fixed) / perImage));
  const gb = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  throw new InputError(
    "config.batchSize",
    `a batch of ${batchSize} needs at least ${gb(need)} (the networks' activations and their gradients, ` +
      `${(perImage / 1024).toFixed(1)} KiB an image, beside ${gb(fixed)} of weights, optimiser state and data), ` +
      `more than the wasm backend's ${gb(WASM_HEAP_BYTES)} heap; use a batch of at most ${largest} ` +
      "(fewer may be needed: this is a lower bound)",
  );
}
