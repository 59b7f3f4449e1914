/**
 * Tensors saved for the backward pass, without a kernel call or a tape node each.
 *
 * While a gradient is recorded, tfjs-core keeps every tensor a gradient will need (a product's operands, an
 * activation's input) by `engine.clone`: an `Identity` kernel run through the engine, plus a tape node for the
 * clone, which the backward pass then filters out again. The wasm, cpu and WebGPU `Identity` kernels only add a
 * reference to the same buffer, so this makes the same tensor directly: a new tensor on the same data, the
 * backend's reference count raised, kept from the enclosing `tidy` as tfjs keeps it. The values, and so every
 * gradient, are the same; an mlp-pytorch iteration saves ~56 tensors.
 *
 * Inside a nested gradient (a gradient penalty's `tf.grad` under the step's `variableGrads`) the inner backward
 * pass is itself recorded, and the outer gradient flows through what the inner one saved: a penalty on D's input
 * gradient reaches D's weights only through the saved weights. There the clone's tape node is that path, so tfjs's
 * clone is kept. Backends without `incRef` keep it too.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of tfjs-core's engine used here (not in its public types). */
interface EngineInternals {
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
  state: { gradientDepth: number };
  __sharedSaves?: true;
}

/** A backend that counts references to its buffers (wasm, cpu, WebGPU). */
interface Counting {
  incRef(dataId: tf.DataId): void;
}

function counting(backend: tf.KernelBackend): backend is tf.KernelBackend & Counting {
  return typeof (backend as Partial<Counting>).incRef === "function";
}

/** Save `tensors` for the backward pass as tensors sharing their data, where the backend counts references. */
export function installSharedSaves(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.__sharedSaves) return;
  const stock = engine.saveTensorsForBackwardMode.bind(engine);
  engine.saveTensorsForBackwardMode = (tensors) => {
    const backend = tf.backend();
    // Depth 1: the backward pass that reads these runs untaped. Deeper, a tape records it (see above).
    const nested = engine.state.gradientDepth > 1;
    if (nested || !counting(backend) || tensors.some((t) => t.dtype === "string")) return stock(tensors);
    return tensors.map((t) => {
      backend.incRef(t.dataId);
      const info = { dataId: t.dataId, shape: [...t.shape], dtype: t.dtype };
      return engine.keep(engine.makeTensorFromTensorInfo(info, backend));
    });
  };
  engine.__sharedSaves = true;
}

installSharedSaves();
