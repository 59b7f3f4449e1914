import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import { parseFlags, requireWritable } from "../lib/cli/flags.ts";
import { InputError } from "../lib/input_error.ts";

Deno.test("a negative number after a flag is that flag's value, so the command's own check can reject it", () => {
  const flags = parseFlags(["file.ts", "--jobs", "-1", "--stop-after", "-5m"], { string: ["jobs", "stop-after"] });
  assertEquals([flags.jobs, flags["stop-after"], flags._], ["-1", "-5m", ["file.ts"]]);
});

Deno.test("more positional arguments than a command takes are named, with a hint about flag dashes from its own flags", () => {
  const e = assertThrows(
    () => parseFlags(["quick", "--only", "002"], { string: ["only", "profile"], positionals: 0 }),
    InputError,
  );
  assertMatch(e.message, /^arguments: unexpected "quick": this command takes only flags.*e\.g\. --profile quick\)$/);
  // bench's --profile takes no value: the hint names one of its flags that does.
  const bench = assertThrows(
    () => parseFlags(["quick"], { string: ["backend"], boolean: ["profile"], positionals: 0 }),
    InputError,
  );
  assertMatch(bench.message, /e\.g\. --backend VALUE\)$/);
  assertEquals(parseFlags(["a.ts"], { positionals: 1 })._, ["a.ts"]);
});

Deno.test("requireWritable names the flag and the path this process may not write, and rejects an empty path", () => {
  // The test task may write only /tmp and .test-artifacts.
  requireWritable("--out", "/tmp/report.html");
  assertMatch(
    assertThrows(() => requireWritable("--out", "/x.html"), InputError).message,
    /^--out: this task may not write "\/x\.html"/,
  );
  assertMatch(assertThrows(() => requireWritable("--json", ""), InputError).message, /^--json: expected a path/);
});
