/**
 * Registers the architectures that ship with the harness.
 * @module
 */
import { registerArch } from "../arch.ts";
import { mlpKeras } from "./mlp_keras.ts";
import { mlpPytorch } from "./mlp_pytorch.ts";
import { mlpTf1 } from "./mlp_tf1.ts";

registerArch("mlp-keras", mlpKeras);
registerArch("mlp-pytorch", mlpPytorch);
registerArch("mlp-tf1", mlpTf1);
