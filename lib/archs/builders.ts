/**
 * The built-in architectures' builders, bound to their declarations (`builtin.ts`) on import: the training code
 * imports this module, planning does not.
 * @module
 */
import { ARCH_BUILDS } from "./builtin.ts";
import { dcgan } from "./dcgan.ts";
import { dcganGia } from "./dcgan_gia.ts";
import { dcganTf } from "./dcgan_tf.ts";
import { infogan } from "./infogan.ts";
import { mlpKeras } from "./mlp_keras.ts";
import { mlpPytorch } from "./mlp_pytorch.ts";
import { mlpTf1 } from "./mlp_tf1.ts";

ARCH_BUILDS.bind({
  "mlp-keras": mlpKeras,
  "mlp-pytorch": mlpPytorch,
  "mlp-tf1": mlpTf1,
  "dcgan-tf": dcganTf,
  "dcgan-gia": dcganGia,
  dcgan,
  infogan,
});
