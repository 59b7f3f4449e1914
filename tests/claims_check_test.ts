import { assertEquals } from "@std/assert";
import { checkClaimsOn, type Claim, type ClaimOutcome } from "../lib/claims/claims.ts";

const claim = (id: string, returns: unknown): Claim => ({
  id,
  text: "t",
  method: "m",
  check: () => returns as ClaimOutcome,
});

Deno.test("a claim whose check returns something other than an outcome is inconclusive, naming the claim and the value", () => {
  const cases: [unknown, string][] = [
    [undefined, 'claim "c": its check returned undefined (undefined); expected { verdict: '],
    [null, 'claim "c": its check returned null (null); expected'],
    ["reproduced", 'claim "c": its check returned "reproduced" (string); expected'],
    [7, 'claim "c": its check returned 7 (number); expected'],
    [["reproduced"], 'claim "c": its check returned an array; expected'],
    [Promise.resolve({}), 'claim "c": its check returned a Promise (checks are synchronous'],
    [{ verdict: "yes", measured: "1" }, 'claim "c": its check returned verdict "yes"; expected'],
    [{ verdict: "reproduced" }, 'claim "c": its check returned measured undefined (undefined); expected'],
  ];
  for (const [value, message] of cases) {
    const [checked] = checkClaimsOn([claim("c", value)], []);
    assertEquals(checked!.verdict, "inconclusive", String(value));
    assertEquals(checked!.measured.startsWith(`the check failed: ${message}`), true, checked!.measured);
  }
  const [good] = checkClaimsOn([claim("g", { verdict: "not reproduced", measured: "fcd 12" })], []);
  assertEquals([good!.id, good!.verdict, good!.measured], ["g", "not reproduced", "fcd 12"]);
});
