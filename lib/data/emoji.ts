/**
 * The built-in colour dataset `emoji`: Twitter's Twemoji images from the npm package `emoji-datasource-twitter`
 * (the package is MIT; the images are © Twitter, CC-BY-4.0), 64×64 RGBA PNGs brought to 32×32 RGB on white.
 * Every image the package has for Twitter, base emoji and skin-tone variants (3,786 in 16.0.0), labelled by the
 * emoji's category in `emoji.json` (9 classes, sorted by name; the 5 "Component" images are left out).
 * @module
 */
import { createRequire } from "node:module";
import { dirname, join } from "@std/path";
import emojiPackage from "emoji-datasource-twitter/package.json" with { type: "json" };
import { DatasetError } from "./dataset_info.ts";
import type { DecodedSet } from "./decoded_set.ts";
import { decodeImageFiles, type ImageFile } from "./image_files.ts";

/** One entry of `emoji.json`, the fields read. */
interface EmojiEntry {
  image: string;
  category: string;
  has_img_twitter: boolean;
  skin_variations?: Record<string, { image: string; has_img_twitter: boolean }>;
}

/** The side the emoji are brought to. */
export const EMOJI_SIZE = 32;

/** The package's folder. */
export function emojiPackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve("emoji-datasource-twitter/package.json"));
  } catch (e) {
    throw new DatasetError(
      `emoji: the npm package emoji-datasource-twitter@${emojiPackage.version} is not installed (${
        (e as Error).message
      }); run \`deno install\` in the repository`,
    );
  }
}

/** The image files and their categories. */
export async function listEmoji(dir = emojiPackageDir()): Promise<{ files: ImageFile[]; classNames: string[] }> {
  const entries: EmojiEntry[] = JSON.parse(await Deno.readTextFile(join(dir, "emoji.json")));
  const listed: { image: string; category: string }[] = [];
  for (const e of entries) {
    if (e.category === "Component") continue;
    if (e.has_img_twitter) listed.push({ image: e.image, category: e.category });
    for (const v of Object.values(e.skin_variations ?? {})) {
      if (v.has_img_twitter) listed.push({ image: v.image, category: e.category });
    }
  }
  listed.sort((a, b) => a.image < b.image ? -1 : a.image > b.image ? 1 : 0);
  const classNames = [...new Set(listed.map((l) => l.category))].sort();
  const files = listed.map((l) => ({
    path: join(dir, "img", "twitter", "64", l.image),
    name: l.image,
    label: classNames.indexOf(l.category),
  }));
  return { files, classNames };
}

/** Load the `emoji` dataset. */
export async function loadEmoji(
  hooks: { progress?: (done: number, total: number) => void; warn?: (message: string) => void } = {},
): Promise<DecodedSet> {
  const dir = emojiPackageDir();
  const { files, classNames } = await listEmoji(dir);
  return decodeImageFiles(files, { size: EMOJI_SIZE, channels: 3, classNames, source: dir, ...hooks });
}
