/**
 * A folder of PNG/JPEG images, in torchvision's ImageFolder convention: one subfolder per class (classes sorted by
 * folder name, images found at any depth inside) gives a labelled set; a folder of image files alone gives an
 * unlabelled one. Hidden files (`.DS_Store`, `.gitkeep`) are skipped; any other file is an error.
 * @module
 */
import { join, relative } from "@std/path";
import { DatasetError } from "./dataset_info.ts";
import type { DecodedSet } from "./decoded_set.ts";
import { MAX_CLASSES } from "./decoded_set.ts";
import { decodeImageFiles, type ImageFile } from "./image_files.ts";
import { DEFAULT_IMAGE_SIZE, type ImageFolderSource } from "./sources.ts";

/** The file endings read as images. */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"] as const;

const isImage = (name: string) => IMAGE_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e));

function fail(path: string, problem: string): never {
  throw new DatasetError(`${path}: ${problem}`);
}

/** The entries of a folder, sorted by name, hidden ones left out. */
async function entries(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (!e.name.startsWith(".")) out.push(e);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      fail(dir, "no such folder; check the path (a relative one is taken from the experiment file's folder)");
    }
    if (e instanceof Deno.errors.NotADirectory) fail(dir, "is a file; `images` names a folder of PNG/JPEG files");
    if (e instanceof Deno.errors.NotCapable) fail(dir, `${(e as Error).message}: grant read access (--allow-read)`);
    throw e;
  }
  return out.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Every image file under `dir`, depth first in name order; any other file is refused. */
async function imagesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await entries(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await imagesUnder(path));
    else if (isImage(e.name)) out.push(path);
    else {
      fail(path, `not an image file (expected ${IMAGE_EXTENSIONS.join(", ")}); move it out of the dataset folder`);
    }
  }
  return out;
}

/** The files of a folder source and the class names (null when unlabelled). */
export async function listImageFolder(dir: string): Promise<{ files: ImageFile[]; classNames: string[] | null }> {
  const top = await entries(dir);
  const folders = top.filter((e) => e.isDirectory);
  const name = (path: string) => relative(dir, path);
  if (folders.length === 0) {
    const files = await imagesUnder(dir);
    if (files.length === 0) fail(dir, `holds no image files (${IMAGE_EXTENSIONS.join(", ")})`);
    return { files: files.map((path) => ({ path, name: name(path), label: null })), classNames: null };
  }
  const loose = top.filter((e) => !e.isDirectory);
  if (loose.length > 0) {
    fail(
      join(dir, loose[0]!.name),
      "a file beside class folders: a folder of class subfolders holds only subfolders (one per class); move it " +
        "into a class folder, or out",
    );
  }
  if (folders.length > MAX_CLASSES) fail(dir, `${folders.length} class folders; at most ${MAX_CLASSES} are supported`);
  const files: ImageFile[] = [];
  for (const [label, folder] of folders.entries()) {
    const inside = await imagesUnder(join(dir, folder.name));
    if (inside.length === 0) {
      fail(join(dir, folder.name), "a class folder with no images; add its images or remove the folder");
    }
    for (const path of inside) files.push({ path, name: name(path), label });
  }
  return { files, classNames: folders.map((f) => f.name) };
}

/** Load an `{ images }` source (path already absolute). */
export async function loadImageFolder(
  source: ImageFolderSource,
  hooks: { progress?: (done: number, total: number) => void; warn?: (message: string) => void; cacheDir?: string } = {},
): Promise<DecodedSet> {
  const { files, classNames } = await listImageFolder(source.images);
  return decodeImageFiles(files, {
    size: source.size ?? DEFAULT_IMAGE_SIZE,
    channels: source.channels,
    classNames,
    source: source.images,
    ...hooks,
  });
}
