/**
 * What a kind of GAN is, and the registry that maps `kind` names to kinds. A kind owns everything that differs
 * between kinds of GAN: which networks it builds (by role) and their optimisers, what one iteration does (all its
 * D and G updates) and which numbers it logs, the sample grid, the evaluation, and the model `deno task eval`
 * loads. The loop (`lib/train/loop.ts`) owns the rest, the same for every kind: batches and noise, the log,
 * checkpoints, resume, cadences, early stopping.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { ConfigKey, Dataset, ResolvedConfig } from "../experiment/config.ts";
import { declareOptions, type OptionSchema, type OptionSpec } from "./options.ts";
import type { TrainingImages } from "../data/training_images.ts";
import type { DatasetFacts } from "../data/dataset_ref.ts";
import type { Evaluator, GeneratorSettings } from "../metrics/evaluator.ts";
import type { Rng } from "../rng.ts";
import type { NamedTensor } from "../train/optimizer_state.ts";
import { InputError } from "../input_error.ts";
import { didYouMean } from "../suggest.ts";
import type { IterationInputs } from "../train/iteration_inputs.ts";

/** What a kind builds for: the run's config and its data's shape. */
export interface KindContext {
  /** Image shape, height × width × channels. */
  imageShape: [number, number, number];
  /** Classes of the dataset's labels (10 for MNIST and Fashion-MNIST; 0 for an unlabelled set). */
  classes: number;
  /**
   * The run's training stream (the loop's batch order and noise draw from it too): a kind that draws more, such
   * as a second dataset's batch order, draws from it in a fixed order, so the run stays a function of its seed.
   */
  rng: Rng;
  /** Another dataset's training images in the run's pixel range (a second domain). */
  loadImages(dataset: Dataset): Promise<TrainingImages>;
  /** The folder the run's dataset paths resolve against (the experiment file's; default the working directory). */
  dataDir?: string;
}

/** What a kind's `check` finds wrong: the key at fault, and what is wrong with its value and what would be accepted. */
export interface KindProblem {
  key: ConfigKey | string;
  problem: string;
}

/** What planning knows of the run's dataset, for a kind's `check`. */
export interface KindData {
  /** Height, width, channels. */
  shape: [number, number, number];
  /** Classes of its labels (0: unlabelled). */
  classes: number;
  /**
   * What planning learns of another dataset the config names (a second domain): its shape, classes and count,
   * read as for the run's own (a source is decoded once and cached), its paths against the experiment's folder.
   */
  facts(dataset: Dataset): Promise<DatasetFacts>;
}

/** What a kind keeps in the checkpoint beyond its networks and optimisers (a pool of past fakes, a batch order). */
export interface KindState {
  /** JSON-able state. */
  json?: unknown;
  /** Tensors by group name (the checkpoint stores each group as `kind:<name>`). */
  tensors?: Record<string, NamedTensor[]>;
}

/**
 * A kind of GAN, registered by name with {@linkcode registerKind} and chosen with the config's `kind`.
 * @typeParam O the values of its own options (`options`), which its `check` and `build` read from the config.
 */
export interface GanKind<O extends object = Record<never, never>> {
  /** One line: what it is and where it comes from. */
  description: string;
  /**
   * The numbers an iteration returns, in order: the columns of `step` and `epoch` lines. Every kind so far logs
   * `dLoss`, `gLoss`, `dReal`, `dFake`, `dAcc` first (the report's training columns) and its own after them.
   */
  numbers: readonly string[];
  /** Those of `numbers` that are losses: the numbers `divergenceThreshold` bounds. */
  losses: readonly string[];
  /**
   * When the kind builds its networks itself and does not read `arch`: what they are, in a few words (listings such
   * as `sweep --dry-run` show it in place of `arch`).
   */
  ownNetworks?: string;
  /** Whether it conditions on class labels: a sweep refuses it on an unlabelled dataset. */
  needsLabels?: boolean;
  /**
   * The config keys only this kind reads, each with its schema, default and what it does (`lib/plugins/options.ts`):
   * experiment files set them like any key; set off their defaults for another kind, they are refused.
   */
  options?: OptionSchema<O>;
  /**
   * What the kind cannot train with, beyond each key's own schema (checked when a sweep is planned, before
   * anything is written): the key at fault and what is wrong with its value and what would be accepted.
   */
  check?(
    config: ResolvedConfig & O,
    data: KindData,
  ): KindProblem | null | Promise<KindProblem | null>;
  /**
   * Build the networks and optimisers (their initialisers draw from `Math.random`, which the loop routes to the
   * run's stream) and draw the sample grid's fixed inputs from their own stream.
   */
  build(config: ResolvedConfig & O, ctx: KindContext): KindRun | Promise<KindRun>;
}

/** A registered kind, whatever its options. */
// deno-lint-ignore no-explicit-any
export type AnyGanKind = GanKind<any>;

/** A kind built for one run. */
export interface KindRun {
  /** The networks by role; each one's weights are a tensor group of the checkpoint, named for the role. */
  networks: Readonly<Record<string, tf.LayersModel>>;
  /** The optimisers by name; each one's state is a tensor group of the checkpoint. */
  optimizers: Readonly<Record<string, tf.Optimizer>>;
  /**
   * One training iteration: all of its D and G updates, on batches and noise drawn from `inputs`.
   * @returns a kept tensor of the kind's `numbers` and then `loggedNumbers`, in order (dispose it after reading).
   */
  iterate(inputs: IterationInputs): tf.Tensor1D;
  /**
   * Numbers this run's iterations return after the kind's `numbers` (a stateful loss's, such as BEGAN's k and M:
   * `lossStateCheckpoint` gives them); they are logged after the kind's.
   */
  loggedNumbers?: readonly string[];
  /** The sample grid's images from its fixed inputs, `[cells, h, w, c]` in the run's pixel range (dispose it). */
  sampleImages(): tf.Tensor;
  /** The sample grid's rows and columns, when not the config's `sampleGrid` (a translation's A | A→B | A→B→A). */
  sampleGrid?: [rows: number, columns: number];
  /**
   * The `eval` line's fields (the training stream is untouched: evaluations draw their own noise), through the
   * dataset's pinned classifier (`evaluator`); a kind may load others (a second domain's) itself.
   */
  evaluate(evaluator: Evaluator): Promise<Record<string, number | string>>;
  /** What the checkpoint keeps beyond the networks and optimisers (the tensors returned are disposed after saving). */
  saveState?(): Promise<KindState>;
  /** Continue from a checkpoint's {@linkcode KindState} (its tensors are disposed after this returns: copy them). */
  restoreState?(state: Required<KindState>): Promise<void>;
  /** The model saved for `deno task eval`, and what it takes. */
  exported: { generator: tf.LayersModel; settings: GeneratorSettings };
  /** Free the networks, optimisers and fixed inputs. */
  dispose(): void;
}

const registry = new Map<string, AnyGanKind>();

/**
 * Register a kind of GAN under a name, so experiment files can use it as `kind: name` (or bring it under `kinds`).
 * @throws {TypeError} if the name is taken by another kind, or an option clashes with a config key or with another
 *   owner's option of that name.
 */
export function registerKind<O extends object>(name: string, kind: GanKind<O>): void {
  const existing = registry.get(name);
  if (existing && existing !== kind) {
    throw new TypeError(
      `Cannot register kind '${name}': the name is already taken (taken: ${kindNames().join(", ")}); choose another`,
    );
  }
  declareOptions({ of: "kind", name }, (kind.options ?? {}) as Record<string, OptionSpec>);
  registry.set(name, kind as AnyGanKind);
}

/** The kind registered as `name`, or undefined. */
export function getKind(name: string): AnyGanKind | undefined {
  return registry.get(name);
}

/** The registered kinds' names, sorted. */
export function kindNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The kind that must be registered as `name`.
 * @param source where the name came from, for the error (`config.kind`).
 * @throws {InputError} naming the source, the closest registered name and all of them.
 */
export function requireKind(name: string, source: string): AnyGanKind {
  const kind = registry.get(name);
  if (kind) return kind;
  throw new InputError(
    source,
    `no kind of GAN is registered as '${name}'${didYouMean(name, kindNames())} (registered: ${kindNames().join(", ")})`,
  );
}
