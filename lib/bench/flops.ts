/**
 * Counting the floating-point operations of a GAN training iteration.
 *
 * Convention (the usual "multiply-add = 2 FLOPs, backward ≈ 2× forward" one):
 * - Only the layers with a weight matrix count: `Dense` costs 2·in·out per
 *   sample (per position, if its input has extra axes), `Conv2D`
 *   2·kh·kw·cin·cout·OH·OW, `Conv2DTranspose` 2·kh·kw·cin·cout·IH·IW (the same
 *   product over its *input* size). Biases, BatchNorm, activations, dropout,
 *   reshapes, losses and Adam are elementwise and not counted.
 * - A backward pass through a layer costs 2× its forward pass (the input
 *   gradient and the weight gradient, each as large as the forward product);
 *   a backward pass that only needs input gradients costs 1×.
 * - One iteration at batch B, as `lib/train/steps.ts` runs it:
 *   D step = G forward on B + D forward and backward on 2B (real and fake together, or, for a D with
 *   BatchNorm, in two passes of B: the same products);
 *   G step = G forward and backward on B + D forward on B + D's input-gradient backward on B.
 *   Total = 4·G·B + 8·D·B, with G and D the forward FLOPs per sample.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** Forward FLOPs of one layer, per sample. */
export interface LayerFlops {
  name: string;
  className: string;
  flops: number;
}

function product(xs: readonly (number | null)[]): number {
  return xs.reduce<number>((p, x) => p * (x ?? 1), 1);
}

function singleShape(shape: tf.Shape | tf.Shape[], layer: string): tf.Shape {
  if (Array.isArray(shape[0])) {
    throw new TypeError(
      `Cannot count FLOPs of layer '${layer}': it has several inputs or outputs; ` +
        "the count takes layers with one input and one output (a Sequential or chain-shaped model)",
    );
  }
  return shape as tf.Shape;
}

/**
 * Forward FLOPs per sample of each layer of a model (layers without weights give 0).
 * @param model a built model: its layers must know their input and output shapes.
 * @returns one entry per layer, in order.
 * @throws {TypeError} for a layer with several inputs or outputs.
 * @example Count a Dense layer
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { layerFlops } from "./flops.ts";
 * const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });
 * console.log(layerFlops(m)[0]?.flops); // 24
 * ```
 */
export function layerFlops(model: tf.LayersModel): LayerFlops[] {
  return model.layers.map((layer) => {
    const className = layer.getClassName();
    const kernel = layer.weights.find((w) => w.originalName.endsWith("kernel"));
    let flops = 0;
    if (kernel && ["Dense", "Conv2D", "Conv2DTranspose"].includes(className)) {
      const macsPerPosition = product(kernel.shape);
      const symbolic = layer.input;
      if (Array.isArray(symbolic)) {
        throw new TypeError(
          `Cannot count FLOPs of layer '${layer.name}': it has several inputs; ` +
            "Dense, Conv2D and Conv2DTranspose layers are counted when they have one",
        );
      }
      const input = symbolic.shape;
      const output = singleShape(layer.outputShape, layer.name);
      // Positions the kernel is applied at: Dense over any middle axes, Conv2D
      // over its output pixels, Conv2DTranspose over its input pixels.
      const positions = className === "Dense"
        ? product(input.slice(1, -1))
        : className === "Conv2D"
        ? product(output.slice(1, 3))
        : product(input.slice(1, 3));
      flops = 2 * macsPerPosition * positions;
    }
    return { name: layer.name, className, flops };
  });
}

/** Forward FLOPs per sample of a whole model. */
export function forwardFlops(model: tf.LayersModel): number {
  return layerFlops(model).reduce((s, l) => s + l.flops, 0);
}

/** FLOPs of one GAN iteration, split into its two steps. */
export interface IterationFlops {
  /** G forward on B, D forward + backward on 2B. */
  dStep: number;
  /** G forward + backward on B, D forward + input-gradient backward on B. */
  gStep: number;
  total: number;
}

/**
 * FLOPs of one training iteration (`critic` D steps, 1 unless given, + a G step) at `batch`, by the
 * convention in this module's doc (a gradient penalty's double backward is not counted).
 * @example
 * ```ts
 * import { iterationFlops } from "./flops.ts";
 * console.log(iterationFlops(10, 100, 2).total); // 4·10·2 + 8·100·2 = 1680
 * ```
 */
export function iterationFlops(
  generatorForward: number,
  discriminatorForward: number,
  batch: number,
  critic = 1,
): IterationFlops {
  const g = generatorForward * batch;
  const d = discriminatorForward * batch;
  const dStep = critic * (g + 3 * (2 * d));
  const gStep = 3 * g + 2 * d;
  return { dStep, gStep, total: dStep + gStep };
}
