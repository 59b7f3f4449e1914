import { assertEquals, assertNotEquals } from "@std/assert";
import { BatchOrder } from "../lib/data/batches.ts";
import { Rng } from "../lib/rng.ts";

function take(order: BatchOrder, n: number): number[][] {
  return Array.from({ length: n }, () => Array.from(order.next()));
}

Deno.test("shuffled batches cover every image once per epoch and drop the partial batch", () => {
  const order = new BatchOrder(10, 3, "shuffle", new Rng(1));
  assertEquals(order.stepsPerEpoch, 3);
  const epoch = take(order, 3).flat();
  assertEquals(new Set(epoch).size, 9);
  assertNotEquals(take(order, 3).flat(), epoch, "the next epoch is shuffled anew");
});

Deno.test("sequential batches take the images in file order every epoch", () => {
  const order = new BatchOrder(7, 3, "sequential", new Rng(1));
  assertEquals(take(order, 4), [[0, 1, 2], [3, 4, 5], [0, 1, 2], [3, 4, 5]]);
});

Deno.test("random batches draw with replacement from the whole set", () => {
  const order = new BatchOrder(5, 50, "random", new Rng(1));
  const batch = take(order, 1)[0]!;
  assertEquals(new Set(batch).size, 5);
});

Deno.test("a restored batch order continues the same sequence", () => {
  const a = new BatchOrder(20, 4, "shuffle", new Rng(3));
  take(a, 2);
  const rngB = new Rng(0);
  const b = new BatchOrder(20, 4, "shuffle", rngB);
  b.setState(a.getState());
  // The shuffle of the next epoch draws from the rng, so copy its state too.
  const rngA = (a as unknown as { rng: Rng }).rng;
  rngB.setState(rngA.getState());
  assertEquals(take(b, 7), take(a, 7));
});
