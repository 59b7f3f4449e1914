/**
 * The built-in kinds of GAN, registered on import (experiment files may register more with `registerKind` or
 * their `kinds` field).
 * @module
 */
import { acganKind, cganKind } from "./conditional.ts";
import { cycleganKind } from "./cyclegan.ts";
import { ganKind } from "./gan.ts";
import { srganKind } from "./srgan.ts";
import { registerKind } from "../../plugins/kinds.ts";

registerKind("gan", ganKind);
registerKind("cgan", cganKind);
registerKind("acgan", acganKind);
registerKind("srgan", srganKind);
registerKind("cyclegan", cycleganKind);
