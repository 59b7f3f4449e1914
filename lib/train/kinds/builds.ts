/**
 * The built-in kinds' builds, bound to their declarations (`builtin.ts`) on import: the training code imports this
 * module, planning does not.
 * @module
 */
import { KIND_BUILDS } from "./builtin.ts";
import { acganBuild, cganBuild } from "./conditional.ts";
import { cycleganBuild } from "./cyclegan.ts";
import { ganBuild } from "./gan.ts";
import { srganBuild } from "./srgan.ts";

KIND_BUILDS.bind({ gan: ganBuild, cgan: cganBuild, acgan: acganBuild, srgan: srganBuild, cyclegan: cycleganBuild });
