import { assertEquals, assertMatch } from "@std/assert";
import { CollapseWatch } from "../lib/train/collapse_watch.ts";
import "../lib/train/builtins.ts";

Deno.test("the class rule fires on the best evaluation so far, not the last", () => {
  const watch = new CollapseWatch({ classesAtMost: 2 });
  assertMatch(watch.onEval(1)!, /at most 1 classes covered at every evaluation so far \(collapse\.classesAtMost 2\)/);
  const recovered = new CollapseWatch({ classesAtMost: 2 });
  assertEquals(recovered.onEval(6), null);
  assertEquals(recovered.onEval(1), null, "it covered 6 once: a bad evaluation later is not a collapse");
});

Deno.test("the D-wins rule needs that many log windows in a row, and a window D does not win resets it", () => {
  const watch = new CollapseWatch({ dWinsFor: 3 });
  assertEquals(watch.onWindow(0.001, 0.999), null);
  assertEquals(watch.onWindow(0.001, 0.999), null);
  assertEquals(watch.onWindow(0.5, 0.7), null);
  assertEquals(watch.onWindow(0.001, 0.999), null);
  assertEquals(watch.onWindow(0.002, 0.995), null);
  assertMatch(watch.onWindow(0.0, 1.0)!, /D won for 3 log windows in a row/);
});

Deno.test("a watch restored from its state goes on where it was, and no rule never fires", () => {
  const watch = new CollapseWatch({ dWinsFor: 2 });
  watch.onWindow(0, 1);
  const again = new CollapseWatch({ dWinsFor: 2 });
  again.setState(watch.getState());
  assertMatch(again.onWindow(0, 1)!, /2 log windows/);
  const off = new CollapseWatch();
  for (let i = 0; i < 10; i++) assertEquals(off.onWindow(0, 1), null);
  assertEquals(off.onEval(0), null);
});
