import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { InputError } from "../lib/input_error.ts";
import { applyTfFlags, parseTfFlags } from "../lib/tfjs/flags.ts";
import "../lib/tfjs/backend.ts"; // registers the WebGPU backend's flags

Deno.test("--tf-flag values take the type of the flag's default and are set in the tfjs environment", () => {
  const parsed = parseTfFlags(["WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30", "WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=false"]);
  assertEquals(parsed, { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 30, WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE: false });
  const before = tf.env().get("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE");
  applyTfFlags(parsed);
  assertEquals(tf.env().get("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE"), 30);
  assertEquals(tf.env().get("WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE"), false);
  applyTfFlags({ WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: before, WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE: true });
});

Deno.test("--tf-flag rejects an unknown name with a suggestion, a missing '=' and a value of the wrong type", () => {
  const e = assertThrows(() => parseTfFlags(["WEBGPU_DEFERED_SUBMIT_BATCH_SIZE=3"]), InputError);
  assertMatch(
    e.message,
    /"WEBGPU_DEFERED_SUBMIT_BATCH_SIZE" is not a TensorFlow\.js flag.*WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE/,
  );
  assertThrows(() => parseTfFlags(["WEBGPU_CPU_FORWARD"]), InputError, "expected NAME=VALUE");
  assertThrows(() => parseTfFlags(["WEBGPU_CPU_FORWARD=yes"]), InputError, 'true or false, got "yes"');
  assertThrows(() => parseTfFlags(["WEBGPU_MATMUL_PROGRAM_TYPE=fast"]), InputError, 'a number, got "fast"');
});
