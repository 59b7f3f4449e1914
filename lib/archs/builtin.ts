/**
 * Declares the architectures that ship with the harness: names, descriptions and options, without TensorFlow.js.
 * Their builders (`builders.ts`) load with the training code and are bound then; a declared architecture's builders
 * call through to them (`lib/plugins/deferred.ts`).
 * @module
 */
import { z } from "zod";
import type { AnyArchitecture, ArchBuild, ArchContext } from "./registry.ts";
import { registerArch } from "./registry.ts";
import { option, type OptionSchema } from "../plugins/options.ts";
import { Deferred } from "../plugins/deferred.ts";

/** The options of `infogan`. */
export interface InfoganOptions {
  /** BatchNorm after D's second convolution and its 1024-unit layer. */
  discriminatorBatchNorm: boolean;
}

const infoganOptions: OptionSchema<InfoganOptions> = {
  discriminatorBatchNorm: option({
    doc: "BatchNorm in infogan's D (after its second convolution and its 1024-unit layer), as compare_gan's " +
      "discriminator_batchnorm",
    schema: z.boolean(),
    default: true,
  }),
};

/** What planning reads of a built-in architecture: its description, its options, whether it has an energy D. */
interface ArchDeclaration {
  description: string;
  // deno-lint-ignore no-explicit-any
  options?: OptionSchema<any>;
  /** It offers an energy discriminator (an autoencoder D, for BEGAN). */
  energy?: true;
}

/** The built-in architectures, declared. */
const DECLARED = {
  "mlp-keras": { description: "Keras MLP GAN (seed 002): G 256-512-1024-784, D 1024-512-256-1 with dropout 0.3" },
  "mlp-pytorch": { description: "PyTorch MLP GAN (seed 001): G 256-256-784, D 256-256-1, LeakyReLU 0.2" },
  "mlp-tf1": { description: "TF1 MLP GAN (seed 003): G 256 ReLU-784, D 256 ReLU-1, N(0, 0.01) init" },
  "dcgan-tf": {
    description: "TensorFlow tutorial DCGAN (seed 000): G dense-BN + 3 conv-transpose 5x5, D 2 conv 5x5 + dropout 0.3",
  },
  "dcgan-gia": {
    description: "GAN in Action DCGAN (seed 004): G dense + 3 conv-transpose 3x3 with BN, D 3 conv 3x3, LeakyReLU 0.01",
  },
  dcgan: {
    description: "DCGAN of Radford et al. as PyTorch's examples/dcgan: 4x4 stride-2 (de)convolutions, BN, 64 maps",
  },
  infogan: {
    description:
      "Lucic et al. 2018's InfoGAN network (compare_gan): 2 (de)convs 4x4/2 and FC 1024, BN; D's BN optional; BEGAN's AE D",
    options: infoganOptions,
    energy: true,
  },
} as const satisfies Record<string, ArchDeclaration>;

/** A built-in architecture's name. */
export type BuiltinArch = keyof typeof DECLARED;

/** The built-in architectures' builders, bound by `builders.ts` (every name declared has one). */
// deno-lint-ignore no-explicit-any
export const ARCH_BUILDS = new Deferred<Record<BuiltinArch, ArchBuild<any>>>("the built-in architectures' builders");

/** A declared architecture whose builders call through to the bound ones. */
function declared(name: BuiltinArch, declaration: ArchDeclaration): AnyArchitecture {
  type Ctx = ArchContext & { options: Record<string, unknown> };
  const build = () => ARCH_BUILDS.get()[name];
  const arch: AnyArchitecture = {
    description: declaration.description,
    ...(declaration.options ? { options: declaration.options } : {}),
    generator: (ctx: Ctx) => build().generator(ctx),
    discriminator: (ctx: Ctx) => build().discriminator(ctx),
  };
  if (declaration.energy) arch.energyDiscriminator = (ctx: Ctx) => build().energyDiscriminator!(ctx);
  return arch;
}

for (const [name, declaration] of Object.entries(DECLARED)) {
  registerArch(name, declared(name as BuiltinArch, declaration));
}
