/**
 * Registers the architectures that ship with the harness.
 * @module
 */
import { registerArch } from "./registry.ts";
import { dcgan } from "./dcgan.ts";
import { dcganGia } from "./dcgan_gia.ts";
import { dcganTf } from "./dcgan_tf.ts";
import { infogan } from "./infogan.ts";
import { mlpKeras } from "./mlp_keras.ts";
import { mlpPytorch } from "./mlp_pytorch.ts";
import { mlpTf1 } from "./mlp_tf1.ts";

registerArch("mlp-keras", mlpKeras);
registerArch("mlp-pytorch", mlpPytorch);
registerArch("mlp-tf1", mlpTf1);
registerArch("dcgan-tf", dcganTf);
registerArch("dcgan-gia", dcganGia);
registerArch("dcgan", dcgan);
registerArch("infogan", infogan);
