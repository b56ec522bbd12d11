import { closest, distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `value` (case-insensitively) when it is close enough to be a
 * likely typo: one edit for words of up to 3 letters, otherwise 2 (a swapped pair of letters)
 * or a third of the length, at most 3; or a candidate that `value` abbreviates (`stream`).
 */
export function closestMatch(
  value: string,
  candidates: readonly string[],
): string | undefined {
  if (candidates.length === 0) {
    return undefined;
  }
  const lower = value.toLowerCase();
  const byLower = new Map(candidates.map(c => [c.toLowerCase(), c]));
  const best = closest(lower, [...byLower.keys()]);
  const allowed =
    lower.length <= 3
      ? 1
      : Math.min(3, Math.max(2, Math.floor(lower.length / 3)));
  if (distance(lower, best) <= allowed) {
    return byLower.get(best);
  }
  const extended =
    lower.length >= 3
      ? [...byLower.keys()].find(candidate => candidate.startsWith(lower))
      : undefined;
  return extended === undefined ? undefined : byLower.get(extended);
}
