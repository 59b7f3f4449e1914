/**
 * The built-in architectures, losses and kinds of GAN, declared: the names, options and checks an experiment may use
 * without registering its own, registered without loading TensorFlow.js. Experiment files (through `mod.ts`),
 * validation and planning (`sweep --dry-run`) need no more; the working halves load with the training code
 * (`builtins.ts`). `lib/experiment/` does not import it, as it sits below the code that declares them
 * (docs/architecture.md).
 * @module
 */
import "../archs/builtin.ts";
import "./builtin_losses.ts";
import "./kinds/builtin.ts";
