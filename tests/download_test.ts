/**
 * The download path, against an HTTP server on 127.0.0.1 (port 0) serving
 * generated IDX files and the Debian Fashion-MNIST files: verified, atomic
 * writes; checksum mismatch, cut-off and short responses, HTTP errors, mirror
 * fallback, keeping verified files. Only loopback traffic.
 *
 * Permissions: --allow-net=127.0.0.1 --allow-read=.,/usr/share/datasets
 *   --allow-write=.test-artifacts
 */
import { assert, assertEquals, assertRejects, assertStringIncludes, fail } from "@std/assert";
import { join } from "node:path";
import { DATASET_INFO, DatasetError, DEBIAN_FASHION_DIR, type FileSpec, loadDataset } from "../lib/data/datasets.ts";
import { sha256Hex } from "../lib/sha256.ts";
import { downloadFile, fetchDataset } from "../lib/data/download.ts";
import { encodeIdx } from "../lib/data/idx.ts";
import { gzip, listDir, runDeno, withTempDir } from "./_files.ts";

/** A 200 response carrying `bytes`. */
function respond(bytes: Uint8Array): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>);
}

type Route = (req: Request) => Response | Promise<Response>;

/** Serve `routes` on 127.0.0.1; unknown paths get 404. Counts requests. */
async function withServer(
  routes: Record<string, Route>,
  fn: (base: string, hits: string[]) => Promise<void>,
): Promise<void> {
  const hits: string[] = [];
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
      onError: () => new Response(null, { status: 500 }),
    },
    (req) => {
      const path = new URL(req.url).pathname;
      hits.push(path);
      const route = routes[path];
      return route ? route(req) : new Response("not here", { status: 404 });
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, hits);
  } finally {
    await server.shutdown();
  }
}

/** A generated 5-image file and its spec, as if it were an official file. */
async function generated(): Promise<{ plain: Uint8Array; spec: FileSpec }> {
  const dims = [5, 28, 28];
  const plain = encodeIdx(
    dims,
    Uint8Array.from({ length: 5 * 784 }, (_, i) => i % 251),
  );
  const spec: FileSpec = {
    file: "gen-images-idx3-ubyte",
    role: "images",
    dims,
    bytes: plain.length,
    sha256: await sha256Hex(plain),
    md5: "",
    gzMd5: "",
  };
  return { plain, spec };
}

Deno.test("downloadFile() stores a verified file under its official name and leaves no temporary file", async () => {
  const { plain, spec } = await generated();
  const packed = await gzip(plain);
  await withServer(
    { "/m/gen.gz": () => respond(packed) },
    async (base) => {
      await withTempDir("download-", async (dir) => {
        const cache = join(dir, "mnist");
        const path = await downloadFile(`${base}/m/gen.gz`, cache, spec);
        assertEquals(path, join(cache, "gen-images-idx3-ubyte.gz"));
        assertEquals(await listDir(cache), ["gen-images-idx3-ubyte.gz"]);
        assertEquals(await Deno.readFile(path), packed);
      });
    },
  );
});

Deno.test("downloadFile() rejects a checksum mismatch naming the URL, expected and got sha256, and writes nothing", async () => {
  const { plain, spec } = await generated();
  const other = plain.slice();
  other[100] = 77; // same shape, different content
  const packed = await gzip(other);
  await withServer({ "/gen.gz": () => respond(packed) }, async (base) => {
    await withTempDir("download-", async (dir) => {
      const e = await assertRejects(
        () => downloadFile(`${base}/gen.gz`, dir, spec),
        DatasetError,
        `${base}/gen.gz: checksum mismatch: expected sha256 ${spec.sha256}, ` +
          `got ${await sha256Hex(other)}`,
      );
      assertStringIncludes(e.message, "the file was not kept");
      assertEquals(await listDir(dir), []);
    });
  });
});

Deno.test("downloadFile() rejects a response cut off before its Content-Length, naming bytes received and expected, and writes nothing", async () => {
  const { plain, spec } = await generated();
  const routes = {
    "/cut.gz": () => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(plain.subarray(0, 1000));
          // Simulated connection drop (the server logs this error).
          setTimeout(() => c.error(new Error("simulated connection drop")), 20);
        },
      });
      return new Response(body, {
        headers: { "content-length": String(plain.length) },
      });
    },
  };
  await withServer(routes, async (base) => {
    await withTempDir("download-", async (dir) => {
      await assertRejects(
        () => downloadFile(`${base}/cut.gz`, dir, spec),
        DatasetError,
        `${base}/cut.gz: the download broke off after 1000 of ${plain.length} bytes`,
      );
      assertEquals(await listDir(dir), []);
    });
  });
});

Deno.test("downloadFile() rejects a complete but short response as truncated, naming expected and actual byte counts", async () => {
  const { plain, spec } = await generated();
  const packed = await gzip(plain);
  const routes = {
    "/short-plain": () => respond(plain.subarray(0, 3000)),
    "/short.gz": () => respond(packed.subarray(0, packed.length >> 1)),
  };
  await withServer(routes, async (base) => {
    await withTempDir("download-", async (dir) => {
      await assertRejects(
        () => downloadFile(`${base}/short-plain`, dir, spec),
        DatasetError,
        `${base}/short-plain: truncated: the header declares 5×28×28 bytes of ` +
          `data, so the file should be ${spec.bytes} bytes, but it is 3000`,
      );
      await assertRejects(
        () => downloadFile(`${base}/short.gz`, dir, spec),
        DatasetError,
        `${base}/short.gz: not a complete gzip stream (truncated or damaged; ` +
          `${packed.length >> 1} compressed bytes)`,
      );
      assertEquals(await listDir(dir), []);
    });
  });
});

Deno.test("downloadFile() rejects an HTTP error naming the URL and status", async () => {
  const { spec } = await generated();
  await withServer({}, async (base) => {
    await withTempDir("download-", async (dir) => {
      await assertRejects(
        () => downloadFile(`${base}/nowhere.gz`, dir, spec),
        DatasetError,
        `${base}/nowhere.gz: HTTP 404 Not Found`,
      );
      assertEquals(await listDir(dir), []);
    });
  });
});

/** Routes serving the Debian Fashion-MNIST `.gz` files under `/fashion/`. */
async function fashionRoutes(): Promise<Record<string, Route>> {
  const routes: Record<string, Route> = {};
  for (const split of ["train", "test"] as const) {
    for (
      const spec of Object.values(DATASET_INFO["fashion-mnist"].files[split])
    ) {
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(
          join(DEBIAN_FASHION_DIR, `${spec.file}.gz`),
        );
      } catch {
        fail(
          `Fashion-MNIST is not installed in ${DEBIAN_FASHION_DIR}: ` +
            "run `apt-get install -y dataset-fashion-mnist` (CI installs it)",
        );
        throw new Error("unreachable");
      }
      routes[`/fashion/${spec.file}.gz`] = () => respond(bytes);
    }
  }
  return routes;
}

Deno.test("fetchDataset() gets all four files past a failing mirror, then loadDataset() reads them from the cache", async () => {
  await withServer(await fashionRoutes(), async (base, hits) => {
    await withTempDir("download-", async (cacheDir) => {
      const lines: string[] = [];
      const files = await fetchDataset("fashion-mnist", {
        cacheDir,
        from: [`${base}/broken/`, `${base}/fashion`],
        log: (l) => lines.push(l),
      });
      const dir = join(cacheDir, "fashion-mnist");
      assertEquals(files.map((f) => f.status), new Array(4).fill("downloaded"));
      assertEquals(files[0]?.url, `${base}/fashion/train-images-idx3-ubyte.gz`);
      assertEquals(await listDir(dir), [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
      ]);
      assertEquals(hits.filter((h) => h.startsWith("/broken/")).length, 4);
      assert(lines.some((l) => l.includes("HTTP 404")), lines.join("\n"));
      const test = await loadDataset("fashion-mnist", "test", {
        cacheDir,
        bundled: false,
      });
      assertEquals([test.count, test.source], [10000, dir]);

      // A second run keeps the verified files and makes no request.
      const before = hits.length;
      const again = await fetchDataset("fashion-mnist", {
        cacheDir,
        from: `${base}/fashion/`,
      });
      assertEquals(again.map((f) => f.status), new Array(4).fill("present"));
      assertEquals(hits.length, before);

      // A damaged cached file is replaced, and only that one is fetched.
      await Deno.writeFile(
        join(dir, "t10k-labels-idx1-ubyte"),
        new Uint8Array(9),
      );
      const repaired = await fetchDataset("fashion-mnist", {
        cacheDir,
        from: `${base}/fashion/`,
      });
      assertEquals(repaired.map((f) => f.status), [
        "present",
        "present",
        "present",
        "downloaded",
      ]);
      assertEquals(hits.slice(before), ["/fashion/t10k-labels-idx1-ubyte.gz"]);
      assert(!(await listDir(dir)).includes("t10k-labels-idx1-ubyte"));
    });
  });
});

Deno.test("fetchDataset() lists every source's failure when no mirror has a valid file, keeping nothing unverified", async () => {
  const { plain } = await generated();
  const wrong = await gzip(plain); // a valid IDX file, but not MNIST's
  await withServer({
    "/bad/train-images-idx3-ubyte.gz": () => respond(wrong),
  }, async (base) => {
    await withTempDir("download-", async (cacheDir) => {
      const e = await assertRejects(
        () =>
          fetchDataset("mnist", {
            cacheDir,
            from: [`${base}/gone`, `${base}/bad`],
          }),
        DatasetError,
        "MNIST: could not get train-images-idx3-ubyte.gz from any source:",
      );
      assertStringIncludes(
        e.message,
        `${base}/gone/train-images-idx3-ubyte.gz: HTTP 404`,
      );
      assertStringIncludes(
        e.message,
        `${base}/bad/train-images-idx3-ubyte.gz: the IDX header (bytes 4-15) ` +
          "declares 5×28×28, expected 60000×28×28",
      );
      assertEquals(await listDir(join(cacheDir, "mnist")), []);
    });
  });
});

Deno.test("fetchDataset() into a folder it may not write says which command would download there", async () => {
  const e = await assertRejects(
    () => fetchDataset("fashion-mnist", { cacheDir: "/not-writable/gan-cache" }),
    DatasetError,
  );
  assertStringIncludes(e.message, "No permission to write the cache folder /not-writable/gan-cache/fashion-mnist");
  const hosts = [...new Set(DATASET_INFO["fashion-mnist"].mirrors.map((m) => new URL(m).host))].join(",");
  assertStringIncludes(
    e.message,
    `deno run --allow-read --allow-write=/not-writable/gan-cache --allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA ` +
      `--allow-net=${hosts} tasks/data.ts --fetch fashion-mnist --cache-dir /not-writable/gan-cache`,
  );
});

Deno.test("the data task's usage mistakes exit 2 with one line naming the flag, before anything is read or fetched", async () => {
  for (
    const [args, expected] of [
      [["--fetsh", "mnist"], /^error: --fetsh: unknown flag; did you mean 'fetch'\?/],
      [
        ["--fetch", "mnis"],
        /^error: --fetch: unknown dataset 'mnis'; did you mean 'mnist'\? \(expected one of mnist, fashion-mnist\)/,
      ],
      [["--from", "http://127.0.0.1:9/"], /^error: --from: goes with --fetch NAME/],
      [["mnist"], /^error: arguments: unexpected "mnist": this command takes only flags/],
    ] as const
  ) {
    const r = await runDeno(["run", "--allow-read", "--allow-env", "tasks/data.ts", ...args]);
    assertEquals(r.code, 2, r.stderr);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert(expected.test(r.stderr.trim()), r.stderr);
  }
});
