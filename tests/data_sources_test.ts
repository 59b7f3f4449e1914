import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { encode } from "fast-png";
import { loadImageFolder } from "../lib/data/image_folder.ts";
import { loadNpySource } from "../lib/data/npy.ts";
import { loadCifarSource } from "../lib/data/cifar.ts";
import { listEmoji } from "../lib/data/emoji.ts";
import { DatasetError } from "../lib/data/dataset_info.ts";
import { datasetLabel } from "../lib/data/sources.ts";
import {
  EMOJI_CLASSES,
  npyPixel,
  numpy,
  redBlueJpeg,
  writeCifar10,
  writeImageFolder,
  writeNpyPair,
} from "./_sources.ts";

const px = (images: Uint8Array, shape: number[], i: number, y: number, x: number) => {
  const [h, w, c] = shape as [number, number, number];
  const at = ((i * h + y) * w + x) * c;
  return Array.from(images.subarray(at, at + c));
};

async function cacheEntries(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(join(dir, "decoded")))).map((e) => e.name);
  } catch {
    return [];
  }
}

Deno.test("an image folder with class subfolders loads as labelled colour images, resized and on white", async () => {
  const dir = await writeImageFolder(await Deno.makeTempDir());
  const cacheDir = await Deno.makeTempDir();
  const set = await loadImageFolder({ images: dir }, { cacheDir });
  assertEquals(set.count, 11);
  assertEquals(set.shape, [32, 32, 3]);
  assertEquals(set.classNames, ["flags", "monsters"]);
  assertEquals(Array.from(set.labels!), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  // Twemoji's transparent corner, composited on white.
  assertEquals(px(set.images, set.shape, 5, 0, 0), [255, 255, 255]);
  // The 40×30 JPEG (the last file of "monsters"), scaled to cover 32×32 and centre-cropped: red left, blue right.
  const [r, , b] = px(set.images, set.shape, 10, 16, 2) as [number, number, number];
  const [r2, , b2] = px(set.images, set.shape, 10, 16, 29) as [number, number, number];
  assert(r > 200 && b < 60 && r2 < 60 && b2 > 200, `red ${r},${b} then blue ${r2},${b2}`);
});

Deno.test("an image folder is decoded once: the second load reads the cache, and a changed file is a new digest", async () => {
  const dir = await writeImageFolder(await Deno.makeTempDir());
  const cacheDir = await Deno.makeTempDir();
  const first = await loadImageFolder({ images: dir, size: 16 }, { cacheDir });
  assertEquals(await cacheEntries(cacheDir), [`${first.digest}.bin`]);
  const second = await loadImageFolder({ images: dir, size: 16 }, { cacheDir });
  assertEquals(second.digest, first.digest);
  assertEquals(second.images, first.images);
  assertEquals(second.labels, first.labels);
  await Deno.copyFile(join(dir, "flags", EMOJI_CLASSES.flags![1]!), join(dir, "flags", EMOJI_CLASSES.flags![0]!));
  const third = await loadImageFolder({ images: dir, size: 16 }, { cacheDir });
  assert(third.digest !== first.digest);
  assertEquals((await cacheEntries(cacheDir)).length, 2);
});

Deno.test("an image folder's channels follow the files (gray stays 1) unless channels says 1", async () => {
  const gray = await Deno.makeTempDir();
  const data = new Uint8Array(8 * 8).map((_, i) => i * 4);
  await Deno.writeFile(join(gray, "a.png"), encode({ width: 8, height: 8, data, channels: 1, depth: 8 }));
  const set = await loadImageFolder({ images: gray, size: 8 }, { cacheDir: await Deno.makeTempDir() });
  assertEquals(set.shape, [8, 8, 1]);
  assertEquals(set.labels, null); // a folder of files alone is unlabelled
  assertEquals(Array.from(set.images.subarray(0, 4)), [0, 4, 8, 12]);
  const colour = await Deno.makeTempDir();
  await Deno.writeFile(join(colour, "red-blue.jpg"), redBlueJpeg(32, 32));
  const luma = await loadImageFolder({ images: colour, channels: 1 }, { cacheDir: await Deno.makeTempDir() });
  assertEquals(luma.shape, [32, 32, 1]);
  const red = luma.images[16 * 32 + 2]!;
  assert(Math.abs(red - 76) < 12, `the luma of red is ~76 (0.299 × 255), got ${red}`);
});

const BAD_FOLDERS: [string, (dir: string) => Promise<string>, string][] = [
  ["an empty folder", (d) => Promise.resolve(d), "holds no image files"],
  ["a class folder with no images", async (d) => {
    await writeImageFolder(d);
    await Deno.mkdir(join(d, "zebras"));
    return join(d, "zebras");
  }, "a class folder with no images"],
  ["a non-image file", async (d) => {
    await writeImageFolder(d);
    await Deno.writeTextFile(join(d, "flags", "notes.txt"), "hello");
    return join(d, "flags", "notes.txt");
  }, "not an image file"],
  ["a truncated PNG", async (d) => {
    await writeImageFolder(d);
    const path = join(d, "flags", EMOJI_CLASSES.flags![2]!);
    await Deno.writeFile(path, (await Deno.readFile(path)).slice(0, 200));
    return path;
  }, "cannot be decoded"],
  ["a text file named .png", async (d) => {
    await writeImageFolder(d);
    await Deno.writeTextFile(join(d, "flags", "fake.png"), "not a png at all");
    return join(d, "flags", "fake.png");
  }, "neither the PNG nor the JPEG signature"],
  ["a file beside class folders", async (d) => {
    await writeImageFolder(d);
    await Deno.copyFile(join(d, "flags", EMOJI_CLASSES.flags![0]!), join(d, "loose.png"));
    return join(d, "loose.png");
  }, "a file beside class folders"],
];

for (const [what, make, message] of BAD_FOLDERS) {
  Deno.test(`an image folder with ${what} is refused naming the file, and nothing is cached`, async () => {
    const dir = await Deno.makeTempDir();
    const culprit = await make(dir);
    const cacheDir = await Deno.makeTempDir();
    const e = await assertRejects(() => loadImageFolder({ images: dir }, { cacheDir }), DatasetError);
    assert(e.message.startsWith(culprit), e.message);
    assert(e.message.includes(message), e.message);
    assertEquals(await cacheEntries(cacheDir), []);
  });
}

Deno.test("a .npy pair written by NumPy loads as NHWC bytes with its labels", async () => {
  const { x, y } = await writeNpyPair(await Deno.makeTempDir());
  const set = await loadNpySource({ npy: x, labels: y });
  assertEquals([set.count, ...set.shape], [24, 16, 16, 3]);
  assertEquals(px(set.images, set.shape, 5, 3, 9), [0, 1, 2].map((c) => npyPixel(5, 3, 9, c)));
  assertEquals(Array.from(set.labels!.subarray(0, 6)), [0, 1, 2, 0, 1, 2]);
  assertEquals(set.classNames, ["0", "1", "2"]);
});

Deno.test("a float32 NCHW .npy is read as the same images as its uint8 NHWC twin", async () => {
  const dir = await Deno.makeTempDir();
  const { x } = await writeNpyPair(dir);
  const nchw = join(dir, "nchw.npy");
  await numpy(`import numpy as np
np.save(${JSON.stringify(nchw)}, (np.load(${JSON.stringify(x)}).transpose(0, 3, 1, 2) / 255).astype(np.float32))`);
  const [a, b] = [await loadNpySource({ npy: x }), await loadNpySource({ npy: nchw })];
  assertEquals(b.shape, a.shape);
  assertEquals(b.images, a.images);
  assertEquals(b.labels, null);
});

const BAD_NPY: [string, string, string][] = [
  ["float64 images", "np.zeros((4, 8, 8, 3), np.float64)", "images must be uint8"],
  ["a rank-2 array", "np.zeros((4, 64), np.uint8)", "expected images as [n, h, w]"],
  ["an ambiguous shape", "np.zeros((4, 3, 3, 3), np.uint8)", "ambiguous"],
  ["floats outside [0, 1]", "np.full((2, 8, 8, 3), 1.5, np.float32)", "must lie in [0, 1]"],
  ["a Fortran-order array", "np.asfortranarray(np.zeros((2, 8, 8, 3), np.uint8))", "Fortran order"],
];

for (const [what, array, message] of BAD_NPY) {
  Deno.test(`a .npy of ${what} is refused naming the file`, async () => {
    const path = join(await Deno.makeTempDir(), "bad.npy");
    await numpy(`import numpy as np\nnp.save(${JSON.stringify(path)}, ${array})`);
    const e = await assertRejects(() => loadNpySource({ npy: path }), DatasetError);
    assert(e.message.startsWith(path) && e.message.includes(message), e.message);
  });
}

Deno.test("a .npy whose labels are not one integer per image, or which is truncated, is refused naming it", async () => {
  const dir = await Deno.makeTempDir();
  const { x } = await writeNpyPair(dir);
  const [few, floats] = [join(dir, "few.npy"), join(dir, "floats.npy")];
  await numpy(`import numpy as np
np.save(${JSON.stringify(few)}, np.arange(23))
np.save(${JSON.stringify(floats)}, np.zeros(24, np.float32))`);
  const e1 = await assertRejects(() => loadNpySource({ npy: x, labels: few }), DatasetError);
  assert(e1.message.startsWith(few) && e1.message.includes("23 labels for 24 images"), e1.message);
  const e2 = await assertRejects(() => loadNpySource({ npy: x, labels: floats }), DatasetError);
  assert(e2.message.startsWith(floats) && e2.message.includes("labels must be integers"), e2.message);
  const cut = join(dir, "cut.npy");
  await Deno.writeFile(cut, (await Deno.readFile(x)).slice(0, 1000));
  const e3 = await assertRejects(() => loadNpySource({ npy: cut }), DatasetError);
  assert(e3.message.startsWith(cut) && e3.message.includes("data bytes"), e3.message);
});

Deno.test("CIFAR-10 binary batches load as NHWC colour images with their labels and class names", async () => {
  const dir = await writeCifar10(await Deno.makeTempDir());
  const set = await loadCifarSource({ cifar: dir });
  assertEquals([set.count, ...set.shape], [12, 32, 32, 3]);
  assertEquals(px(set.images, set.shape, 9, 20, 20), [9, 18, 246]); // the second batch's 4th image
  assertEquals(px(set.images, set.shape, 9, 0, 1), [7, 7, 7]);
  assertEquals(Array.from(set.labels!), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  assertEquals(set.classNames?.[3], "cat");
  const one = await loadCifarSource({ cifar: join(dir, "data_batch_2.bin") });
  assertEquals(one.count, 6);
  assertEquals(px(one.images, one.shape, 3, 5, 5), [9, 18, 246]);
});

Deno.test("CIFAR-100's train.bin takes the fine label, the second of its two label bytes", async () => {
  const dir = await Deno.makeTempDir();
  const bytes = new Uint8Array(3 * 3074);
  for (let k = 0; k < 3; k++) {
    bytes.set([k, 40 + k], k * 3074);
    bytes.fill(100 + k, k * 3074 + 2, (k + 1) * 3074);
  }
  await Deno.writeFile(join(dir, "train.bin"), bytes);
  const set = await loadCifarSource({ cifar: dir });
  assertEquals(Array.from(set.labels!), [40, 41, 42]);
  assertEquals(px(set.images, set.shape, 2, 31, 31), [102, 102, 102]);
});

Deno.test("a CIFAR file that is not a whole number of records is refused naming it and the record size", async () => {
  const dir = await writeCifar10(await Deno.makeTempDir());
  const path = join(dir, "data_batch_2.bin");
  await Deno.writeFile(path, (await Deno.readFile(path)).slice(0, 3073 * 2 + 100));
  const e = await assertRejects(() => loadCifarSource({ cifar: dir }), DatasetError);
  assert(e.message.startsWith(path) && e.message.includes("whole number of 3073-byte CIFAR-10 records"), e.message);
  const empty = await Deno.makeTempDir();
  const e2 = await assertRejects(() => loadCifarSource({ cifar: empty }), DatasetError);
  assert(e2.message.includes("holds no CIFAR training file"), e2.message);
});

Deno.test("the emoji set lists every Twitter image but the components, labelled by 9 categories", async () => {
  const { files, classNames } = await listEmoji();
  assertEquals(files.length, 3781);
  assertEquals(classNames.length, 9);
  assertEquals(classNames[0], "Activities");
  assert(files.every((f) => f.label !== null && f.label >= 0 && f.label < 9));
});

Deno.test("a dataset value's label names its format and folder for run ids and tables", () => {
  assertEquals(datasetLabel("mnist"), "mnist");
  assertEquals(datasetLabel({ images: "data/flowers/", size: 64 }), "images-flowers-64");
  assertEquals(datasetLabel({ npy: "/x/train_x.npy", labels: "y.npy" }), "npy-train_x");
  assertEquals(datasetLabel({ cifar: "cifar-10-batches-bin" }), "cifar-cifar-10-batches-bin");
});
