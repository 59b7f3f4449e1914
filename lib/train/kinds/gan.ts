/**
 * Kind `gan`: one generator and one discriminator, unconditional; an iteration is `nCritic` D steps and a G step
 * (`lib/train/gan.ts`). The harness's first kind, and the default.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { criticSteps, type ResolvedConfig } from "../../experiment/config.ts";
import { evalFields, type Evaluator, type GeneratorSettings } from "../../metrics/evaluator.ts";
import { loggedNumbers, lossOptions, requireLoss } from "../../plugins/losses.ts";
import { buildGan, disposeGan, ganIteration } from "../gan.ts";
import type { StepSettings } from "../steps.ts";
import { sampleGridNoise } from "./grid_inputs.ts";
import type { GanKind, KindRun } from "../../plugins/kinds.ts";

/**
 * How a config forms the losses of D's and G's steps: the loss, its own options' values and, for a loss that
 * carries state, a variable holding it (keep it with {@linkcode lossStateCheckpoint}; dispose it with the run).
 */
export function stepSettings(config: ResolvedConfig): StepSettings {
  const loss = requireLoss(config.loss, "config.loss");
  const options = lossOptions(loss, config);
  return {
    loss: config.loss,
    realTarget: config.labelSmoothing,
    dLossReduce: config.dLossReduce,
    nCritic: criticSteps(config),
    lossOptions: options,
    ...(loss.state ? { lossState: tf.tidy(() => tf.variable(tf.tensor1d(loss.state!.initial(options)), false)) } : {}),
  };
}

/**
 * What a stateful loss adds to a kind's run: its state as a tensor group `kind:loss` of the checkpoint, and the
 * numbers it logs after the kind's (`loggedNumbers`, e.g. BEGAN's k and M; `ganIteration` appends their values).
 * Nothing for a loss without state.
 */
export function lossStateCheckpoint(
  settings: StepSettings,
): Pick<KindRun, "saveState" | "restoreState" | "loggedNumbers"> {
  const state = settings.lossState;
  if (!state) return {};
  const logged = loggedNumbers(requireLoss(settings.loss, "config.loss"));
  return {
    ...(logged.length ? { loggedNumbers: logged } : {}),
    saveState: () => Promise.resolve({ tensors: { loss: [{ name: "state", tensor: state.clone() }] } }),
    restoreState(saved) {
      const kept = saved.tensors.loss?.[0]?.tensor;
      if (!kept || kept.size !== state.size) {
        throw new Error(`the checkpoint has no state of loss ${settings.loss} (tensor group kind:loss)`);
      }
      tf.tidy(() => state.assign(tf.reshape(kept, state.shape) as tf.Tensor1D));
      return Promise.resolve();
    },
  };
}

/** What the run's generator takes (its noise) and gives (its pixel range). */
export function generatorSettings(config: ResolvedConfig): GeneratorSettings {
  return { noiseDim: config.noiseDim, noise: config.noise, pixelRange: config.pixelRange };
}

/** The eval line's fields of a generator from noise (and a label, for a conditional one). */
export async function evaluateGenerator(
  evaluator: Evaluator,
  generator: tf.LayersModel,
  settings: GeneratorSettings,
): Promise<Record<string, number | string>> {
  return evalFields(await evaluator.evaluateGenerator(generator, settings), evaluator.classifierSha256);
}

/** Kind `gan`'s build (its declaration is in `builtin.ts`). */
export const ganBuild: GanKind["build"] = (config, ctx) => {
  const gan = buildGan(config, {
    noiseDim: config.noiseDim,
    imageShape: ctx.imageShape,
    pixelRange: config.pixelRange,
  });
  const fixedNoise = sampleGridNoise(config);
  const settings = stepSettings(config);
  return {
    networks: { generator: gan.generator, discriminator: gan.discriminator },
    optimizers: { optD: gan.optD, optG: gan.optG },
    iterate(inputs) {
      const batch = inputs.batch();
      try {
        return ganIteration(gan, batch, () => inputs.noise(), settings, inputs);
      } finally {
        batch.dispose();
      }
    },
    sampleImages: () => tf.tidy(() => gan.generator.apply(fixedNoise, { training: false }) as tf.Tensor),
    evaluate: (evaluator) => evaluateGenerator(evaluator, gan.generator, generatorSettings(config)),
    exported: { generator: gan.generator, settings: generatorSettings(config) },
    ...lossStateCheckpoint(settings),
    dispose() {
      fixedNoise.dispose();
      settings.lossState?.dispose();
      disposeGan(gan);
    },
  };
};
