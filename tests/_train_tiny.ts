// A tiny run trained on one backend, as a script: `deno run ... tests/_train_tiny.ts webgpu '<overrides JSON>'`
// prints `RESULT <step lines>` before exiting, so a WebGPU run happens in a process of its own (Mesa's device
// teardown at exit has aborted the test runner here; see tests/_one_step.ts).
import * as tf from "@tensorflow/tfjs";
import type { PartialConfig } from "../lib/experiment/config.ts";
import type { BackendChoice } from "../lib/tfjs/backend.ts";
import { trainTiny } from "./_train_helpers.ts";
import "../lib/tfjs/kernels_setup.ts";
import "../lib/train/builtins.ts";

if (import.meta.main) {
  const [backend, overrides] = Deno.args;
  const { runDir, steps } = await trainTiny(
    backend as Exclude<BackendChoice, "auto">,
    JSON.parse(overrides!) as PartialConfig,
  );
  await Deno.remove(runDir, { recursive: true });
  if (tf.getBackend() !== backend) throw new Error(`trained on ${tf.getBackend()}, not ${backend}`);
  console.log(`RESULT ${JSON.stringify(steps)}`);
}
