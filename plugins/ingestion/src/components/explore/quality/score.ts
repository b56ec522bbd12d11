/** A quality score (0–100) as the pages show it: "87.5 %", or a dash when nothing was checked. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : `${score.toFixed(1)} %`;
}
