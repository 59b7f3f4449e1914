/**
 * Declares the losses that ship with the harness: names, descriptions, options, what D's output means and whether it
 * is a critic, without TensorFlow.js. Their terms (`losses.ts`, `began.ts`) load with the training code and are
 * bound then; a declared loss's terms call through to them (`lib/plugins/deferred.ts`).
 * @module
 */
import { z } from "zod";
import type { BuiltinOptions, Loss } from "../experiment/config.ts";
import { type AnyGanLoss, type GanLoss, registerLoss } from "../plugins/losses.ts";
import { option, type OptionSchema } from "../plugins/options.ts";
import { Deferred } from "../plugins/deferred.ts";

/** A loss's working half: its terms, penalty, state and after-update step, without its declaration. */
export type LossTerms<O extends object = Record<never, never>> = Pick<
  GanLoss<O>,
  "discriminator" | "generator" | "penalty" | "state" | "afterDiscriminatorUpdate"
>;

/** What planning reads of a built-in loss; `has` names the working parts its terms bring beyond D's and G's. */
type LossDeclaration = Omit<AnyGanLoss, keyof LossTerms> & {
  has?: { penalty?: true; afterDiscriminatorUpdate?: true; logged?: readonly string[] };
};

/** BEGAN's options. */
export interface BeganOptions {
  gamma: number;
  lambdaK: number;
}

/** The penalty weight both penalised losses read: one option, shared. */
const gpWeight = option({ doc: "the gradient penalty's weight λ", schema: z.number().min(0), default: 10 });
const gpOptions = { gpWeight } satisfies OptionSchema<Pick<BuiltinOptions, "gpWeight">>;

const clipValue = option({
  doc: "D's weights are clipped to ±this after every D update",
  schema: z.number().positive(),
  default: 0.01,
});

const beganOptions = {
  gamma: option({
    doc: "BEGAN's equilibrium ratio γ = E[L(G(z))] / E[L(x)] that k steers D towards",
    schema: z.number().min(0).max(1),
    default: 0.5,
  }),
  lambdaK: option({ doc: "BEGAN's rate λ_k of k's update", schema: z.number().min(0), default: 0.001 }),
} satisfies OptionSchema<BeganOptions>;

const logit = { sigmoid: true, threshold: 0.5 };
/** A critic's score: its sign is its call. */
const score = { sigmoid: false, threshold: 0 };

/** The built-in losses, declared (every name of `LOSSES` has one: a new name without one fails to compile). */
const DECLARED = {
  bce: {
    description: "non-saturating cross-entropy: G maximises log D(G(z)) (Goodfellow et al. 2014)",
    output: logit,
    critic: false,
  },
  minimax: {
    description: "the original minimax game: G minimises log(1 − D(G(z))) (Goodfellow et al. 2014)",
    output: logit,
    critic: false,
  },
  lsgan: {
    description: "least squares, targets 1 and 0 (Mao et al. 2017)",
    output: { sigmoid: false, threshold: 0.5 },
    critic: false,
  },
  hinge: {
    description: "hinge: D minimises relu(1 − D(x)) + relu(1 + D(G(z))), G −D(G(z)) (Lim & Ye 2017)",
    output: score,
    critic: true,
  },
  wgan: {
    description: "Wasserstein, D's weights clipped to ±clipValue (Arjovsky et al. 2017)",
    output: score,
    critic: true,
    criticSteps: 5,
    options: { clipValue },
    has: { afterDiscriminatorUpdate: true },
  },
  "wgan-gp": {
    description: "Wasserstein with a gradient penalty between real and fake images (Gulrajani et al. 2017)",
    output: score,
    critic: true,
    criticSteps: 5,
    options: gpOptions,
    has: { penalty: true },
  },
  dragan: {
    description: "cross-entropy with a gradient penalty around the real images (Kodali et al. 2017)",
    output: logit,
    critic: false,
    options: gpOptions,
    has: { penalty: true },
  },
  began: {
    description: "BEGAN: D an autoencoder, D minimises L(x) − k·L(G(z)), G L(G(z)), k balances them (Berthelot et al.)",
    output: { sigmoid: false, threshold: 0 },
    critic: true, // energies, not probabilities: no real label to smooth
    energy: true,
    options: beganOptions,
    has: { logged: ["k", "M"] },
  },
} as const satisfies Record<Loss | "began", LossDeclaration>;

/** The built-in losses' terms, bound by `losses.ts` (every declared loss has terms). */
// deno-lint-ignore no-explicit-any
export const LOSS_TERMS = new Deferred<Record<keyof typeof DECLARED, LossTerms<any>>>("the built-in losses' terms");

/** A declared loss whose terms, penalty, state and after-update step call through to the bound ones. */
function declared(name: keyof typeof DECLARED, { has, ...declaration }: LossDeclaration): AnyGanLoss {
  const terms = () => LOSS_TERMS.get()[name];
  const loss: AnyGanLoss = {
    ...declaration,
    discriminator: (real, fake, ctx) => terms().discriminator(real, fake, ctx),
    generator: (fake, ctx) => terms().generator(fake, ctx),
  };
  if (has?.penalty) {
    loss.penalty = {
      noiseShape: (real) => terms().penalty!.noiseShape(real),
      points: (real, fake, noise) => terms().penalty!.points(real, fake, noise),
      weight: (options) => terms().penalty!.weight(options),
    };
  }
  if (has?.afterDiscriminatorUpdate) {
    loss.afterDiscriminatorUpdate = (d, options) => terms().afterDiscriminatorUpdate!(d, options);
  }
  if (has?.logged) {
    loss.state = {
      initial: (options) => terms().state!.initial(options),
      update: (state, real, fake, options) => terms().state!.update(state, real, fake, options),
      logged: {
        names: has.logged,
        values: (state, real, fake, options) => terms().state!.logged!.values(state, real, fake, options),
      },
    };
  }
  return loss;
}

for (const [name, declaration] of Object.entries(DECLARED)) {
  registerLoss(name, declared(name as keyof typeof DECLARED, declaration));
}
