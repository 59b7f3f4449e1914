/**
 * Declares the built-in kinds of GAN (experiment files may register more with `registerKind` or their `kinds`
 * field): descriptions, logged numbers, own options and checks, without TensorFlow.js. Their builds (`gan.ts`,
 * `conditional.ts`, `srgan.ts`, `cyclegan.ts`) load with the training code and are bound then (`builds.ts`); a
 * declared kind's `build` calls through to its bound one (`lib/plugins/deferred.ts`).
 * @module
 */
import { z } from "zod";
import { type BuiltinOptions, datasetSchema } from "../../experiment/config.ts";
import { getLoss, lossNames, requireLoss } from "../../plugins/losses.ts";
import type { OptionSchema } from "../../plugins/options.ts";
import { type AnyGanKind, type GanKind, registerKind } from "../../plugins/kinds.ts";
import { Deferred } from "../../plugins/deferred.ts";
import { LOSS_NUMBERS, STEP_NUMBERS } from "../../results/step_numbers.ts";

/** The low-resolution sides `lowRes` may take for images of side `h`: h/2 and h/4 (G upsamples ×2 at a time). */
export function lowResSizes(h: number): number[] {
  return [h / 2, h / 4].filter((s) => Number.isInteger(s) && s >= 2);
}

/** The losses cyclegan trains with: those that need no weight clipping, no gradient penalty and no state. */
function trainsCycles(loss: string): boolean {
  const l = getLoss(loss);
  return l !== undefined && !l.penalty && !l.afterDiscriminatorUpdate && !l.state;
}

/** The registered losses cyclegan trains with, the paper's (lsgan) first. */
function cycleLosses(): string[] {
  return lossNames().filter(trainsCycles).sort((a, b) => Number(b === "lsgan") - Number(a === "lsgan"));
}

/** Kind `acgan`'s own option. */
const acganOptions = {
  auxWeight: {
    doc: "the weight of the class cross-entropy in D's and G's losses",
    schema: z.number().min(0),
    default: 1,
  },
} satisfies OptionSchema<Pick<BuiltinOptions, "auxWeight">>;

/** Kind `srgan`'s own options. */
type SrganOptions = Pick<BuiltinOptions, "lowRes" | "contentWeight" | "perceptualWeight" | "adversarialWeight">;
const srganOptions = {
  lowRes: {
    doc: "side of the low-resolution input, made from the image by area averaging: its side / 2 or / 4 (14 or 7 at 28)",
    schema: z.number().int().positive(),
    default: 14,
  },
  contentWeight: { doc: "the weight of the pixel MSE in G's loss", schema: z.number().min(0), default: 1 },
  perceptualWeight: {
    doc: "the weight of the MSE of the pinned classifier's features (the perceptual loss) in G's loss",
    schema: z.number().min(0),
    default: 0.01,
  },
  adversarialWeight: {
    doc: "the weight of the adversarial term in G's loss",
    schema: z.number().min(0),
    default: 1e-3,
  },
} satisfies OptionSchema<SrganOptions>;

/** Kind `cyclegan`'s own options. */
type CycleganOptions = Pick<BuiltinOptions, "datasetB" | "cycleWeight" | "identityWeight">;
const cycleganOptions = {
  datasetB: {
    doc: "domain B (domain A is dataset)",
    schema: datasetSchema.nullable(),
    default: null,
    nullMeans: "no second domain",
  },
  cycleWeight: { doc: "the weight of the cycle-consistency L1 loss", schema: z.number().min(0), default: 10 },
  identityWeight: {
    doc: "the weight of the identity loss; null = half of cycleWeight, as the CycleGAN paper",
    schema: z.number().min(0).nullable(),
    default: null,
    nullMeans: "half of cycleWeight",
  },
} satisfies OptionSchema<CycleganOptions>;

/** A kind as declared: all but its build. */
type KindDeclaration<O extends object = Record<never, never>> = Omit<GanKind<O>, "build">;

const gan: KindDeclaration = {
  description: "one G and one D, unconditional (Goodfellow et al. 2014, with the config's loss)",
  numbers: STEP_NUMBERS,
  losses: LOSS_NUMBERS,
};

const cgan: KindDeclaration = {
  description: "class-conditional GAN: G and D both take the label (Mirza & Osindero 2014)",
  numbers: STEP_NUMBERS,
  losses: LOSS_NUMBERS,
  needsLabels: true,
};

const acgan: KindDeclaration<Pick<BuiltinOptions, "auxWeight">> = {
  description: "auxiliary-classifier GAN: G takes the label, D also names the class (Odena et al. 2017)",
  numbers: [...STEP_NUMBERS, "dClassAcc"],
  losses: LOSS_NUMBERS,
  needsLabels: true,
  options: acganOptions,
};

const srgan: KindDeclaration<SrganOptions> = {
  description: "super-resolution GAN: G upsamples a lowRes image to full size, D judges it (Ledig et al. 2017)",
  numbers: [...STEP_NUMBERS, "pixelMse", "perceptual"],
  losses: LOSS_NUMBERS,
  options: srganOptions,
  check(config, data) {
    if (requireLoss(config.loss, "config.loss").state) {
      return { key: "loss", problem: "expected a loss without state: kind srgan's G step does not carry it" };
    }
    const [h] = data.shape;
    const sizes = lowResSizes(h);
    if (sizes.includes(config.lowRes)) return null;
    return {
      key: "lowRes",
      problem: `expected ${sizes.join(" or ") || "a side the images' halve to"} (the images' ${h} divided by 2 or ` +
        "4: G upsamples by 2 at a time)",
    };
  },
};

const cyclegan: KindDeclaration<CycleganOptions> = {
  description: "unpaired image-to-image translation dataset ↔ datasetB: two Gs, two Ds, cycle L1 (Zhu et al. 2017)",
  ownNetworks: "cyclegan's ResNet Gs and PatchGAN Ds",
  numbers: [...STEP_NUMBERS, "cycleL1", "identityL1"],
  losses: LOSS_NUMBERS,
  options: cycleganOptions,
  async check(config, data) {
    if (config.datasetB === null) {
      return { key: "datasetB", problem: "expected a dataset for domain B (domain A is dataset)" };
    }
    const [h, w] = data.shape;
    if (h % 4 !== 0 || w % 4 !== 0) {
      return {
        key: "dataset",
        problem: `its images are ${data.shape.join("×")}: kind cyclegan's networks halve the sides twice, so ` +
          "they must be multiples of 4 (28, 32, 64; a folder of images takes size:)",
      };
    }
    const b = await data.facts(config.datasetB);
    if (b.shape.join() !== data.shape.join()) {
      return {
        key: "datasetB",
        problem: `its images (${b.source}) are ${b.shape.join("×")}, domain A's ${data.shape.join("×")}: expected ` +
          "the same shape (a folder of images takes size: and channels: to match)",
      };
    }
    if (!trainsCycles(config.loss)) {
      return {
        key: "loss",
        problem: `expected ${cycleLosses().join(", ")} (lsgan is the paper's): kind cyclegan has ` +
          `no weight clipping, gradient penalty or loss state`,
      };
    }
    if (config.nCritic !== null && config.nCritic !== 1) {
      return { key: "nCritic", problem: "expected 1 (or null): kind cyclegan makes one D update per G update" };
    }
    return null;
  },
};

/** The built-in kinds, declared, in the order they register. */
const DECLARED = { gan, cgan, acgan, srgan, cyclegan };

/** A built-in kind's name. */
export type BuiltinKind = keyof typeof DECLARED;

/** The built-in kinds' builds, bound by `builds.ts` (every declared kind has one). */
export const KIND_BUILDS = new Deferred<Record<BuiltinKind, AnyGanKind["build"]>>("the built-in kinds' builds");

for (const [name, declaration] of Object.entries(DECLARED)) {
  const kind: AnyGanKind = {
    // deno-lint-ignore no-explicit-any
    ...(declaration as KindDeclaration<any>),
    build: (config, ctx) => KIND_BUILDS.get()[name as BuiltinKind](config, ctx),
  };
  registerKind(name, kind);
}
