import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import * as vega from "vega";
import { installTextMetrics, measureText, type VegaTextMetrics } from "../lib/report/text_metrics.ts";
import { escapeHtml, inlineScript, jsonForScript } from "../lib/report/escape.ts";
import { formatDuration, formatNumber } from "../lib/report/format.ts";
import { backendsLabel } from "../lib/report/tables.ts";
import type { RunData } from "../lib/results/read_results.ts";

Deno.test("measureText() sums Helvetica advance widths", () => {
  // H e l l o = 722 + 556 + 222 + 222 + 556 = 2278 units
  assertAlmostEquals(measureText("Hello", { fontSize: 10 }), 22.78, 1e-9);
  assertAlmostEquals(measureText("iiii", { fontSize: 10 }), 8.88, 1e-9);
  assert(
    measureText("WWW", { fontSize: 10 }) >
      measureText("WWW", { fontSize: 10, fontWeight: 100 }) - 1e-9,
  );
  assert(
    measureText("ab", { fontSize: 10, fontWeight: "bold" }) >
      measureText("ab", { fontSize: 10 }),
  );
  assertEquals(measureText("abc", { fontSize: 10, font: "monospace" }), 18);
  assertEquals(measureText("", { fontSize: 10 }), 0);
});

Deno.test("installTextMetrics() replaces Vega's 0.8 × length × size estimate", () => {
  const metrics = (vega as unknown as { textMetrics: VegaTextMetrics }).textMetrics;
  installTextMetrics(metrics);
  assertAlmostEquals(metrics.width({ fontSize: 10 }, "iiii"), 8.88, 1e-9);
  assertAlmostEquals(
    metrics.width({ text: "Hello", fontSize: 10 }),
    22.78,
    1e-9,
  );
  assertAlmostEquals(metrics.width({}, "Hello"), 22.78 * 1.1, 1e-9);
});

Deno.test("escapeHtml() neutralises markup in run names and values", () => {
  assertEquals(
    escapeHtml(`<script>"x" & 'y'</script>`),
    "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;",
  );
});

Deno.test("jsonForScript() cannot close its script element and round-trips", () => {
  const value = { label: "</script><script>alert(1)</script> <!-- \u2028" };
  const text = jsonForScript(value);
  assert(!text.includes("<"));
  assertEquals(JSON.parse(text), value);
});

Deno.test("inlineScript() escapes every </script in inlined library code", () => {
  assertEquals(
    inlineScript('a="</script>";b="</SCRIPT"'),
    'a="<\\/script>";b="<\\/SCRIPT"',
  );
});

Deno.test("formatNumber() and formatDuration() give short labels", () => {
  assertEquals(formatNumber(0.693147), "0.693");
  assertEquals(formatNumber(0.00001234), "1.23e-5");
  assertEquals(formatNumber(1234.5), "1235");
  assertEquals(formatNumber(176.578), "177");
  assertEquals(formatDuration(12.34), "12.3s");
  assertEquals(formatDuration(185), "3m 05s");
  assertEquals(formatDuration(3725), "1h 02m");
});

Deno.test("the report's backend names the GEMM and its threads that config.json recorded, as the sweep printed them", () => {
  const run = (gemm?: Record<string, unknown>) =>
    ({
      config: {
        backend: {
          name: "wasm",
          reason: "",
          device: "wasm SIMD, 1 thread on x86_64 CPU, 2 cores",
          ...(gemm ? { gemm } : {}),
        },
      },
    }) as unknown as RunData;
  const openblas = { library: "openblas", version: "OpenBLAS 0.3.21 NO_LAPACKE", threads: 2, path: "/usr/lib/x.so" };
  assertEquals(
    backendsLabel([run(openblas)]),
    "wasm SIMD, 1 thread on x86_64 CPU, 2 cores; matrix products and convolutions on OpenBLAS 0.3.21 NO_LAPACKE " +
      "(cblas_sgemm via FFI), 2 threads",
  );
  const simd = {
    library: "wasm-simd",
    version: "relaxed SIMD build",
    threads: 1,
    fallback: "OpenBLAS is not installed",
  };
  assert(
    backendsLabel([run(openblas), run(simd)]).includes(
      "wasm SIMD GEMM (relaxed SIMD build), 1 thread: OpenBLAS is not installed (1 runs)",
    ),
  );
  assertEquals(
    backendsLabel([run()]),
    "wasm SIMD, 1 thread on x86_64 CPU, 2 cores",
    "a run from before the GEMM was recorded",
  );
});
