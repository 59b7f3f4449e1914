import * as tf from "@tensorflow/tfjs";
import { assertEquals } from "@std/assert";
import { randomData, runOn, setUpBackends } from "./_kernel_parity.ts";

await setUpBackends();

const cases: Array<{ shape: number[]; reps: number[] }> = [
  { shape: [1, 1, 1, 5], reps: [4, 3, 3, 1] },
  { shape: [2, 3], reps: [3, 2] },
  { shape: [4], reps: [3] },
  { shape: [2, 1, 3], reps: [1, 4, 2] },
  { shape: [3, 2, 2], reps: [1, 1, 1] },
  { shape: [2, 2], reps: [0, 2] },
];

Deno.test("wasm Tile matches cpu exactly for float32, int32 and bool", async () => {
  for (const [i, c] of cases.entries()) {
    const v = randomData(c.shape.reduce((a, b) => a * b, 1), i + 1);
    for (const dtype of ["float32", "int32", "bool"] as const) {
      const make = () => {
        const x = tf.tensor(v, c.shape);
        const t = dtype === "float32" ? x : dtype === "int32" ? x.mul(100).cast("int32") : x.greater(0);
        return tf.tile(t, c.reps).cast("float32");
      };
      const [want] = await runOn("cpu", make);
      const [got] = await runOn("wasm", make);
      assertEquals(
        Array.from(got ?? []),
        Array.from(want ?? []),
        `${dtype} ${JSON.stringify(c)}`,
      );
    }
  }
});
