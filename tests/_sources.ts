// Datasets of one's own, written in their real formats for the tests: real emoji PNGs (from the npm package) in
// class folders with a JPEG from jpeg-js, .npy files from NumPy itself, and CIFAR-10 binary batches.
import { join } from "@std/path";
import jpeg from "@jimp/js-jpeg";
import { Buffer } from "node:buffer";
import { emojiPackageDir } from "../lib/data/emoji.ts";
import { runDeno } from "./_files.ts";

/** Real Twemoji PNGs (64×64 RGBA, transparent corners), by the class folder they go in. */
export const EMOJI_CLASSES: Record<string, string[]> = {
  flags: ["1f1e6-1f1e8.png", "1f1e6-1f1e9.png", "1f1e6-1f1ea.png", "1f1e6-1f1eb.png", "1f1e6-1f1ec.png"],
  monsters: ["1f479.png", "1f47a.png", "1f47b.png", "1f47d.png", "1f47e.png"],
};

/** A folder of class subfolders: 5 flags, 5 monsters and one 40×30 JPEG (a red-left, blue-right picture). */
export async function writeImageFolder(dir: string): Promise<string> {
  const emoji = join(emojiPackageDir(), "img", "twitter", "64");
  for (const [cls, files] of Object.entries(EMOJI_CLASSES)) {
    await Deno.mkdir(join(dir, cls), { recursive: true });
    for (const f of files) await Deno.copyFile(join(emoji, f), join(dir, cls, f));
  }
  await Deno.writeFile(join(dir, "monsters", "photo.jpg"), redBlueJpeg(40, 30));
  return dir;
}

/** A baseline JPEG, `w`×`h`: the left half red, the right half blue. */
export function redBlueJpeg(w: number, h: number): Uint8Array {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set(x < w / 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], 4 * (y * w + x));
  }
  return new Uint8Array(jpeg().encode({ data, width: w, height: h }, { quality: 95 }));
}

/** Run Python with NumPy (Debian's, as the bench does). */
export async function numpy(script: string): Promise<void> {
  const out = await new Deno.Command("/usr/bin/python3", { args: ["-c", script], stderr: "piped" }).output();
  if (!out.success) throw new Error(`python3 failed: ${new TextDecoder().decode(out.stderr)}`);
}

/**
 * `x.npy`: 24 images of 16×16×3 uint8 NHWC whose pixel (i, y, x, c) is (i·7 + y·3 + x + c·50) mod 256, and `y.npy`:
 * int64 labels i mod 3, both written by `numpy.save`.
 */
export async function writeNpyPair(dir: string): Promise<{ x: string; y: string }> {
  await Deno.mkdir(dir, { recursive: true });
  const [x, y] = [join(dir, "x.npy"), join(dir, "y.npy")];
  await numpy(
    `import numpy as np
i, r, c, ch = np.meshgrid(np.arange(24), np.arange(16), np.arange(16), np.arange(3), indexing="ij")
np.save(${JSON.stringify(x)}, ((i * 7 + r * 3 + c + ch * 50) % 256).astype(np.uint8))
np.save(${JSON.stringify(y)}, (np.arange(24) % 3).astype(np.int64))`,
  );
  return { x, y };
}

/** The value of pixel (i, y, x, c) of {@linkcode writeNpyPair}'s images. */
export const npyPixel = (i: number, y: number, x: number, c: number) => (i * 7 + y * 3 + x + c * 50) % 256;

/**
 * A `cifar-10-batches-bin` folder: `data_batch_1.bin` and `data_batch_2.bin` of `perBatch` records each (label
 * byte, then the red, green and blue 32×32 planes), and `batches.meta.txt`. Image k (over both batches) has label
 * k mod 10 and red k, green 2k, blue 255 − k everywhere, except pixel (0, 1), which is 7 in all three planes.
 */
export async function writeCifar10(dir: string, perBatch = 6): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  for (const b of [1, 2]) {
    const bytes = new Uint8Array(perBatch * 3073);
    for (let j = 0; j < perBatch; j++) {
      const k = (b - 1) * perBatch + j;
      const at = j * 3073;
      bytes[at] = k % 10;
      bytes.fill(k, at + 1, at + 1 + 1024);
      bytes.fill(2 * k, at + 1 + 1024, at + 1 + 2048);
      bytes.fill(255 - k, at + 1 + 2048, at + 1 + 3072);
      for (const plane of [0, 1, 2]) bytes[at + 1 + plane * 1024 + 1] = 7;
    }
    await Deno.writeFile(join(dir, `data_batch_${b}.bin`), bytes);
  }
  const names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
  await Deno.writeTextFile(join(dir, "batches.meta.txt"), names.join("\n") + "\n\n");
  return dir;
}

/** `deno task classifier` with its permissions, writing under `out`. */
export function classifierCli(out: string, dataset: unknown) {
  return runDeno([
    "run",
    "--allow-read",
    `--allow-write=${out}`,
    "--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA",
    "tasks/classifier.ts",
    "--dataset",
    JSON.stringify(dataset),
    "--epochs",
    "1",
    "--batch-size",
    "4",
    "--out",
    out,
  ]);
}

/** `deno task eval` with its permissions (`--dry-run`: it appends nothing). */
export function evalCli(run: string, ...args: string[]) {
  return runDeno([
    "run",
    "--allow-ffi=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "--allow-read",
    "--allow-env=HOME,XDG_CACHE_HOME,GAN_HARNESS_DATA",
    "tasks/eval.ts",
    run,
    "--dry-run",
    ...args,
  ]);
}
