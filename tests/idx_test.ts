/**
 * IDX parsing of generated files: plain and gzip, bad headers, truncation,
 * trailing bytes, label/image count mismatch.
 *
 * Permissions: --allow-read=.test-artifacts --allow-write=.test-artifacts
 */
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "node:path";
import { gunzip, isGzip } from "../lib/data/gzip.ts";
import { assertSameCount, encodeIdx, IdxFormatError, parseIdx, readIdxFile } from "../lib/data/idx.ts";
import { gzip, withTempDir } from "./_files.ts";

/** 3 images of 4×5 pixels whose value is their index in the file. */
function sampleImages(): Uint8Array {
  return encodeIdx([3, 4, 5], Uint8Array.from({ length: 60 }, (_, i) => i));
}

Deno.test("parseIdx() reads dims and row-major pixels of a generated images file", () => {
  const { dims, data } = parseIdx(sampleImages(), "images", 3);
  assertEquals(dims, [3, 4, 5]);
  assertEquals(data.length, 60);
  assertEquals(data[0], 0);
  assertEquals(data[5], 5); // second row of the first image
  assertEquals(data[20], 20); // first pixel of the second image
});

Deno.test("encodeIdx() writes the 00 00 08 <ndims> magic and big-endian dims", () => {
  const bytes = encodeIdx([2], new Uint8Array([5, 0]));
  assertEquals([...bytes], [0, 0, 8, 1, 0, 0, 0, 2, 5, 0]);
  assertThrows(
    () => encodeIdx([2, 2], new Uint8Array(3)),
    RangeError,
    "dims 2×2 need 4 values, got 3",
  );
});

Deno.test("readIdxFile() reads plain and gzipped files alike, detecting gzip by its magic bytes", async () => {
  await withTempDir("idx_test-", async (dir) => {
    const plain = sampleImages();
    const packed = await gzip(plain);
    assert(isGzip(packed) && !isGzip(plain));
    await Deno.writeFile(join(dir, "plain"), plain);
    // No .gz suffix on purpose: detection is by content, not by name.
    await Deno.writeFile(join(dir, "packed"), packed);
    const a = await readIdxFile(join(dir, "plain"), 3);
    const b = await readIdxFile(join(dir, "packed"), 3);
    assertEquals([a.gzip, b.gzip], [false, true]);
    assertEquals(b.dims, a.dims);
    assertEquals(b.data, a.data);
    assertEquals(b.bytes, plain);
  });
});

Deno.test("parseIdx() rejects bad headers naming the file, the byte offset, expected and got", () => {
  const good = sampleImages();
  const cases: [string, Uint8Array, number, string][] = [
    ["too short", new Uint8Array([0, 0]), 2, "2 bytes long, too short"],
    [
      "wrong magic",
      Uint8Array.from([0x1f, 0x8b, 8, 0, ...good.subarray(4)]),
      0,
      "bad IDX magic number at byte 0: expected 00 00 08 03, got 1f 8b 08 00",
    ],
    [
      "float dtype",
      Uint8Array.from([0, 0, 0x0d, 3, ...good.subarray(4)]),
      2,
      "expected 0x08 (unsigned byte), got 0x0d (float32)",
    ],
    [
      "labels where images belong",
      encodeIdx([3], new Uint8Array(3)),
      3,
      "declares 1 dimensions at byte 3, expected 3",
    ],
    [
      "header cut short",
      good.subarray(0, 10),
      10,
      "3 dimensions need 16 header bytes, the file has 10",
    ],
  ];
  for (const [what, bytes, offset, text] of cases) {
    const e = assertThrows(
      () => parseIdx(bytes, "fixtures/x-idx3-ubyte", 3),
      IdxFormatError,
      text,
      what,
    );
    assert(e.message.startsWith("fixtures/x-idx3-ubyte: "), e.message);
    assertEquals(e.offset, offset, what);
  }
});

Deno.test("parseIdx() rejects a truncated file naming expected and actual byte length", () => {
  const e = assertThrows(
    () => parseIdx(sampleImages().subarray(0, 50), "imgs", 3),
    IdxFormatError,
    "imgs: truncated: the header declares 3×4×5 bytes of data, so the file " +
      "should be 76 bytes, but it is 50 (26 missing from byte 50 on)",
  );
  assertEquals(e.offset, 50);
});

Deno.test("parseIdx() rejects trailing bytes after the declared data", () => {
  const bytes = Uint8Array.from([...sampleImages(), 1, 2]);
  assertThrows(
    () => parseIdx(bytes, "imgs"),
    IdxFormatError,
    "2 unexpected trailing bytes",
  );
});

Deno.test("readIdxFile() rejects a truncated gzip stream naming the file", async () => {
  await withTempDir("idx_test-", async (dir) => {
    const packed = await gzip(sampleImages());
    const path = join(dir, "cut.gz");
    await Deno.writeFile(path, packed.subarray(0, packed.length - 6));
    await assertRejects(
      () => readIdxFile(path),
      IdxFormatError,
      `${path}: not a complete gzip stream (truncated or damaged; ${packed.length - 6} compressed bytes)`,
    );
  });
});

Deno.test("readIdxFile() counts byte offsets of a truncated gzipped file after decompression", async () => {
  await withTempDir("idx_test-", async (dir) => {
    const path = join(dir, "short.gz");
    await Deno.writeFile(path, await gzip(sampleImages().subarray(0, 70)));
    await assertRejects(
      () => readIdxFile(path, 3),
      IdxFormatError,
      `${path} (after gunzip): truncated: the header declares 3×4×5 bytes of ` +
        "data, so the file should be 76 bytes, but it is 70",
    );
  });
});

Deno.test("assertSameCount() rejects a labels file whose count differs from the images', naming both", () => {
  const images = parseIdx(sampleImages(), "train-images", 3);
  const labels = parseIdx(encodeIdx([2], new Uint8Array(2)), "train-labels", 1);
  const e = assertThrows(
    () => assertSameCount(images, labels, "train-images", "train-labels"),
    IdxFormatError,
    "train-labels: count mismatch: the header (bytes 4-7) declares 2 labels, " +
      "but train-images declares 3 images",
  );
  assertEquals(e.offset, 4);
  assertSameCount(
    images,
    parseIdx(encodeIdx([3], new Uint8Array(3)), "l"),
    "",
    "",
  );
});

Deno.test("gunzip() round-trips CompressionStream output", async () => {
  const bytes = sampleImages();
  assertEquals(await gunzip(await gzip(bytes)), bytes);
});
