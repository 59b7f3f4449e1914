/**
 * `deno task report <dir> --serve`: the live server over HTTP (its event stream, images, refusals) and the
 * command's flags. Needs `--allow-net=127.0.0.1` and `--allow-run=deno`.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { type LiveServer, parsePort, serveReport } from "../lib/report/serve.ts";
import { InputError } from "../lib/input_error.ts";
import { writeFixtureExperiment, writeRunningWideSweep } from "./_report_fixtures.ts";
import { EventReader, freePort } from "./_serve_helpers.ts";

async function fixture(dir: string): Promise<{ root: string; runs: string[] }> {
  const root = await writeFixtureExperiment(dir, {
    name: "live",
    grid: { lr: [1e-3, 1e-4], seed: [1, 2] },
    epochs: 2,
    evals: {},
    outcome: (_g, i) => i === 0 ? "running" : "completed",
  });
  const runs = JSON.parse(await Deno.readTextFile(join(root, "experiment.json"))).runs as string[];
  return { root, runs };
}

async function withServer(fn: (server: LiveServer, root: string, runs: string[]) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "report-serve-" });
  let server: LiveServer | null = null;
  try {
    const { root, runs } = await fixture(dir);
    server = await serveReport({ resultsDir: root, port: freePort(), pollMs: 100, log: () => {} });
    await fn(server, root, runs);
  } finally {
    await server?.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("report --serve streams the whole report first, then only the appended point", async () => {
  await withServer(async (server, root, runs) => {
    const page = await fetch(server.url);
    assertEquals(page.headers.get("content-type"), "text/html; charset=utf-8");
    assertStringIncludes(await page.text(), "new EventSource('events')");
    const res = await fetch(new URL("events", server.url));
    assertEquals(res.headers.get("content-type"), "text/event-stream");
    const events = new EventReader(res.body!);
    try {
      const first = await events.next();
      const specs = first.filter((e) => e.type === "spec").map((e) => e.type === "spec" ? e.id : "");
      assert(specs.includes("loss-linear") && specs.includes("eval"), `charts sent: ${specs}`);
      const firstBytes = events.bytes;

      const line = { kind: "step", step: 4242, epoch: 2, dLoss: 0.25, gLoss: 2.5, dReal: 0.6, dFake: 0.3 };
      await Deno.writeTextFile(join(root, runs[0]!, "metrics.jsonl"), JSON.stringify(line) + "\n", { append: true });
      const update = await events.next();
      const loss = update.find((e) => e.type === "data" && e.id === "loss-linear");
      if (loss?.type !== "data") throw new Error(`no data change for loss-linear: ${JSON.stringify(update)}`);
      const inserted = loss.changes.flatMap((c) => c.insert) as { step: number; run: string }[];
      assert(inserted.some((r) => r.step === 4242 && r.run === runs[0]), "the new point is inserted");
      assert(inserted.length <= 4, `only the new point's rows are sent (${inserted.length})`);
      assertEquals(update.filter((e) => e.type === "spec").length, 0, "no chart is sent again whole");
      assert(events.bytes - firstBytes < firstBytes / 4, "the update is small beside the first batch");
    } finally {
      await events.cancel();
    }
  });
});

Deno.test("report --serve shows a status change and survives a client that disconnects", async () => {
  await withServer(async (server, root, runs) => {
    const gone = new EventReader((await fetch(new URL("events", server.url))).body!);
    await gone.next();
    await gone.cancel();
    const res = await fetch(new URL("events", server.url));
    const events = new EventReader(res.body!);
    try {
      await events.next();
      const status = JSON.parse(await Deno.readTextFile(join(root, runs[0]!, "status.json")));
      await Deno.writeTextFile(join(root, runs[0]!, "status.json"), JSON.stringify({ ...status, status: "diverged" }));
      const update = await events.next();
      const sent = new Set(update.flatMap((e) => e.type === "html" || e.type === "patch" ? [e.region] : []));
      assert(sent.has("header"), `the header is sent again: ${JSON.stringify(update)}`);
      assertStringIncludes(events.regions.get("header") ?? "", "diverged: 1");
      assert(sent.has("problems") && events.regions.get("problems")!.includes(runs[0]!), "it joins 'did not complete'");
      assertEquals(server.clients, 1, "the disconnected page was dropped");
    } finally {
      await events.cancel();
    }
  });
});

Deno.test("report --serve survives a deleted run folder: its points leave the page, the others stay", async () => {
  await withServer(async (server, root, runs) => {
    const events = new EventReader((await fetch(new URL("events", server.url))).body!);
    try {
      await events.next();
      await Deno.remove(join(root, runs[1]!), { recursive: true });
      const update = await events.next();
      const loss = update.find((e) => e.type === "data" && e.id === "loss-linear");
      const removed = loss?.type === "data" ? loss.changes.flatMap((c) => c.remove) as { run: string }[] : [];
      const respec = update.find((e) => e.type === "spec" && e.id === "loss-linear");
      assert(removed.length > 0 || respec !== undefined, `the deleted run's points go: ${JSON.stringify(update)}`);
      assert(removed.every((r) => r.run === runs[1]), "only the deleted run's points are removed");
      assert(update.some((e) => e.type !== "sections" && "region" in e && e.region === "header"), "states sent again");
      assertStringIncludes(events.regions.get("header") ?? "", "pending: 1");
      const line = { kind: "step", step: 5000, epoch: 2, dLoss: 0.3, gLoss: 2, dReal: 0.5, dFake: 0.4 };
      await Deno.writeTextFile(join(root, runs[0]!, "metrics.jsonl"), JSON.stringify(line) + "\n", { append: true });
      const next = await events.next();
      assert(next.some((e) => e.type === "data" && e.id === "loss-linear"), "the server still follows the others");
    } finally {
      await events.cancel();
    }
  });
});

Deno.test("report --serve serves sample images from run folders only", async () => {
  await withServer(async (server, root, runs) => {
    const ok = await fetch(new URL(`${runs[1]}/samples/epoch-0001.png`, server.url));
    assertEquals(ok.status, 200);
    assertEquals(ok.headers.get("content-type"), "image/png");
    await ok.body?.cancel();
    for (const path of [`${runs[1]}/config.json`, "%2e%2e/%2e%2e/etc/passwd.png", "experiment.json"]) {
      const res = await fetch(new URL(path, server.url));
      assertEquals(res.status, 404, path);
      await res.body?.cancel();
    }
    const post = await fetch(server.url, { method: "POST" });
    assertEquals(post.status, 405);
    await post.body?.cancel();
    assert((await Deno.stat(join(root, "experiment.json"))).isFile);
  });
});

Deno.test("report --serve refuses a port in use with the flag and value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-serve-" });
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { root } = await fixture(dir);
    const port = (busy.addr as Deno.NetAddr).port;
    const err = await assertRejects(() => serveReport({ resultsDir: root, port, log: () => {} }), InputError);
    assertStringIncludes(err.message, `--port: port ${port} on 127.0.0.1 is in use`);
  } finally {
    busy.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parsePort accepts 1-65535 and names --port and the value otherwise", () => {
  assertEquals(parsePort("8000"), 8000);
  for (const bad of ["0", "65536", "abc", "80.5", "-1", ""]) {
    let message = "";
    try {
      parsePort(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, `--port: expected a TCP port, an integer from 1 to 65535; got "${bad}"`);
  }
});

async function reportCli(args: string[], allowNet: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command("deno", {
    args: ["run", "--allow-read=.", `--allow-net=${allowNet}`, "tasks/report.ts", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("deno task report --serve exits 2 naming --port for a bad port and one it may not use", async () => {
  const bad = await reportCli(["tests/fixtures", "--serve", "--port", "http"], "127.0.0.1:8000");
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, '--port: expected a TCP port, an integer from 1 to 65535; got "http"');
  await Deno.mkdir(".test-artifacts", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: ".test-artifacts", prefix: "serve-cli-" });
  try {
    const { root } = await fixture(dir);
    const scoped = await reportCli([root, "--serve", "--port", "8001"], "127.0.0.1:8000");
    assertEquals(scoped.code, 2);
    assertStringIncludes(scoped.stderr, "--port: this process may not listen on 127.0.0.1:8001");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** `deno task report --serve` on `root` as a subprocess, once it says it is serving: the child, its stdout so far. */
async function serveCli(root: string, port: number) {
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "--allow-read=.",
      `--allow-net=127.0.0.1:${port}`,
      "tasks/report.ts",
      root,
      "--serve",
      "--port",
      `${port}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("Serving")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  return { child, reader, out };
}

Deno.test("deno task report --serve stops cleanly on SIGINT", async () => {
  await Deno.mkdir(".test-artifacts", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: ".test-artifacts", prefix: "serve-cli-" });
  try {
    const { root } = await fixture(dir);
    const port = freePort();
    const { child, reader, out } = await serveCli(root, port);
    assertStringIncludes(out, `on http://127.0.0.1:${port}/`);
    const res = await fetch(`http://127.0.0.1:${port}/events`);
    const events = new EventReader(res.body!);
    await events.next();
    child.kill("SIGINT");
    const [status, rest, stderr] = await Promise.all([
      child.status,
      (async () => {
        let s = "";
        while (true) {
          const { value, done } = await reader.read();
          if (done) return s;
          s += value;
        }
      })(),
      new Response(child.stderr).text(),
    ]);
    await events.cancel().catch(() => {});
    assertEquals(status.code, 0, stderr);
    assertStringIncludes(rest, "Stopped (SIGINT).");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report --serve sends one changed table row as a patch, and the page's HTML matches a fresh page's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-serve-" });
  let server: LiveServer | null = null;
  try {
    const { root, runs } = await writeRunningWideSweep(dir, "wide", 2);
    server = await serveReport({ resultsDir: root, port: freePort(), pollMs: 100, log: () => {} });
    const events = new EventReader((await fetch(new URL("events", server.url))).body!);
    try {
      await events.next();
      const table = events.regions.get("section:final") ?? "";
      assert(table.length > 4000, `the 20-run final table is sent whole first (${table.length} characters)`);
      const line = { kind: "step", step: 4242, epoch: 2, dLoss: 0.123, gLoss: 2.5, dReal: 0.6, dFake: 0.3 };
      await Deno.writeTextFile(join(root, runs[3]!, "metrics.jsonl"), JSON.stringify(line) + "\n", { append: true });
      const update = await events.next();
      const final = update.find((e) => "region" in e && e.region === "section:final");
      if (final?.type !== "patch") throw new Error(`the table is not patched: ${JSON.stringify(final)?.slice(0, 200)}`);
      assert(final.text.length < table.length / 10, `the patch is small (${final.text.length} characters)`);
      const fresh = new EventReader((await fetch(new URL("events", server.url))).body!);
      try {
        await fresh.next();
        assertEquals(events.regions, fresh.regions, "patched regions equal the regions a new page is sent");
      } finally {
        await fresh.cancel();
      }
    } finally {
      await events.cancel();
    }
  } finally {
    await server?.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report --serve answers a malformed percent-escape with 400 and logs at most one short line", async () => {
  await Deno.mkdir(".test-artifacts", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: ".test-artifacts", prefix: "serve-cli-" });
  try {
    const { root } = await fixture(dir);
    const port = freePort();
    const { child, reader } = await serveCli(root, port);
    const stderr = new Response(child.stderr).text();
    try {
      for (const path of ["/%E0%A4%A", "/%E0%A4%A.png", "/run/%ZZ/samples/epoch-0001.png", "/%"]) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        assertEquals(res.status, 400, path);
        await res.body?.cancel();
      }
      const ok = await fetch(`http://127.0.0.1:${port}/status`);
      assertEquals(ok.status, 200, "still serving");
      await ok.body?.cancel();
    } finally {
      child.kill("SIGINT");
      await child.status;
      await reader.cancel().catch(() => {});
    }
    const logged = (await stderr).trim();
    assert(logged.split("\n").filter((l) => l !== "").length <= 1, logged);
    assert(logged.length <= 200 && !/^\s+at /m.test(logged), logged);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report --serve's 405 names the methods it allows in Allow, and HEAD is answered like GET, bodiless", async () => {
  await withServer(async (server, _root, runs) => {
    for (const method of ["POST", "PUT", "DELETE"]) {
      const res = await fetch(server.url, { method });
      assertEquals(res.status, 405, method);
      assertEquals(res.headers.get("allow"), "GET, HEAD", method);
      await res.body?.cancel();
    }
    for (const path of ["", "status", `${runs[1]}/samples/epoch-0001.png`, "nothing.png", "events"]) {
      const get = await fetch(new URL(path, server.url));
      await get.body?.cancel();
      const head = await fetch(new URL(path, server.url), { method: "HEAD" });
      assertEquals(head.status, get.status, path);
      assertEquals(head.headers.get("content-type"), get.headers.get("content-type"), path);
      assertEquals(await head.text(), "", path);
    }
    assertEquals(server.clients, 0, "a HEAD of the event stream opens no stream");
  });
});

/** One raw HTTP/1.1 GET with the given Host header (fetch would send its own); returns the status line's code. */
async function statusWithHost(port: number, host: string | null): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = host === null ? "" : `Host: ${host}\r\n`;
    await conn.write(new TextEncoder().encode(`GET /status HTTP/1.1\r\n${head}Connection: close\r\n\r\n`));
    const buf = new Uint8Array(256);
    const n = (await conn.read(buf)) ?? 0;
    return Number(new TextDecoder().decode(buf.subarray(0, n)).split(" ")[1]);
  } finally {
    conn.close();
  }
}

Deno.test("report --serve answers only loopback Host names: a DNS-rebinding page's own name gets 421", async () => {
  await withServer(async (server) => {
    const port = Number(new URL(server.url).port);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, "localhost", `[::1]:${port}`, "LOCALHOST"]) {
      assertEquals(await statusWithHost(port, host), 200, host);
    }
    for (const host of ["evil.example.com", `evil.example.com:${port}`, `127.0.0.1:${port + 1}`, "127.0.0.1.evil.io"]) {
      assertEquals(await statusWithHost(port, host), 421, host);
    }
  });
});
