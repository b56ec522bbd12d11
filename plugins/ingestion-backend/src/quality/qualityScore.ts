import type { QualityResult } from '@ingestion-for-backstage/plugin-ingestion-common';

type Severity = QualityResult['severity'];

/**
 * How much a rule counts in a quality score, by severity: a rule that fails the run weighs 3,
 * one that drops rows 2, a warning 1 (the plugin README defines the score with these).
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = {
  fail: 3,
  drop: 2,
  warn: 1,
};

export const weightOf = (severity: string): number =>
  SEVERITY_WEIGHTS[severity as Severity] ?? 1;

/** Counts of checked rules, weighted by severity. */
export interface WeightedCounts {
  /** Σ weight of the rules that passed. */
  passed: number;
  /** Σ weight of every rule checked. */
  total: number;
}

/** The score as a percentage (0–100, one decimal), or null when nothing was checked. */
export function scoreOf(counts: WeightedCounts): number | null {
  if (counts.total <= 0) return null;
  return Math.round((1000 * counts.passed) / counts.total) / 10;
}

/** Adds `count` checks of one severity and outcome to running weighted counts. */
export function addChecks(
  counts: WeightedCounts,
  severity: string,
  passed: boolean,
  count = 1,
): WeightedCounts {
  const weight = weightOf(severity) * count;
  return {
    passed: counts.passed + (passed ? weight : 0),
    total: counts.total + weight,
  };
}
