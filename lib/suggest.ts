/**
 * "Did you mean …?" for misspelt names.
 * @module
 */
import { distance } from "fastest-levenshtein";

/** The candidate closest to `word` (case-insensitive), if it is close enough to be a likely typo. */
export function closest(
  word: string,
  candidates: readonly string[],
): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** `; did you mean 'x'?` or an empty string. */
export function didYouMean(
  word: string,
  candidates: readonly string[],
): string {
  const c = closest(word, candidates);
  return c === undefined ? "" : `; did you mean '${c}'?`;
}
