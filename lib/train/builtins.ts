/**
 * The built-in architectures, losses and kinds of GAN, registered: the names an experiment may use without
 * registering its own. Every entry point imports it before it validates or plans (`mod.ts`, `tasks/`, `lib/api/`,
 * `lib/sweep/`); `lib/experiment/` does not, as it sits below the code that implements them (docs/architecture.md).
 * @module
 */
import "../archs/builtin.ts";
import "./losses.ts";
import "./kinds/builtin.ts";
