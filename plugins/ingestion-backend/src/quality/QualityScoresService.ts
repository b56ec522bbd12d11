import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  pipelineReadPermission,
  tableReadPermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import {
  addChecks,
  scoreOf,
  SEVERITY_WEIGHTS,
  weightOf,
  type WeightedCounts,
} from './qualityScore';
import type { LatestCheck, QualityScoresStore } from './QualityScoresStore';

/** The longest period a trend covers, in days. */
export const MAX_TREND_DAYS = 366;
/** The period a trend covers when `from` is not given, in days (today included). */
export const DEFAULT_TREND_DAYS = 30;

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface QualityScoresQuery {
  organization: string;
  pipelineId?: string;
  tableId?: string;
  /** First day (`YYYY-MM-DD`, UTC), inclusive. */
  from?: string;
  /** Last day (`YYYY-MM-DD`, UTC), inclusive. */
  to?: string;
  bucket?: string;
}

export interface QualityScoreSummary {
  /** 0–100: the severity-weighted share of rules that passed, null when nothing was checked. */
  score: number | null;
  rules: number;
  passing: number;
}

export interface QualityScores {
  organization: string;
  pipelineId?: string;
  tableId?: string;
  from: string;
  to: string;
  bucket: 'day';
  weights: Record<string, number>;
  /** Over the rules of each pipeline's latest checked run up to `to`. */
  current: QualityScoreSummary;
  /** One point per day with checks: the score over every check of that day. */
  trend: Array<{ day: string; score: number; checks: number; failed: number }>;
  /** Rules whose latest check failed: heavier severities first, then newest. */
  breaches: LatestCheck[];
  /** Each pipeline's current score, lowest first. */
  pipelines: Array<
    QualityScoreSummary & {
      pipelineId: string;
      name: string;
      runId: string;
      checkedAt: string;
      breaches: number;
    }
  >;
}

function parseDay(field: string, value: string): Date {
  const date = new Date(`${value}T00:00:00Z`);
  if (!DATE.test(value) || Number.isNaN(date.getTime())) {
    throw new InputError(`${field}: a date as YYYY-MM-DD`);
  }
  return date;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

function summarize(checks: LatestCheck[]): QualityScoreSummary {
  let counts: WeightedCounts = { passed: 0, total: 0 };
  for (const check of checks) {
    counts = addChecks(counts, check.severity, check.passed);
  }
  return {
    score: scoreOf(counts),
    rules: checks.length,
    passing: checks.filter(c => c.passed).length,
  };
}

/**
 * Quality scores of an organization, a pipeline or a table, with their daily trend and open
 * breaches, over the results the caller may read (scoped exactly as `/v1/quality`).
 */
export class QualityScoresService {
  constructor(
    private readonly options: {
      store: QualityScoresStore;
      authorizer: IngestionAuthorizer;
      now?: () => Date;
    },
  ) {}

  async scores(
    credentials: BackstageCredentials,
    query: QualityScoresQuery,
  ): Promise<QualityScores> {
    if ((query.bucket ?? 'day') !== 'day') {
      throw new InputError('bucket: day');
    }
    if (query.pipelineId && query.tableId) {
      throw new InputError('give pipeline or table, not both');
    }
    const now = this.options.now?.() ?? new Date();
    const last = query.to
      ? parseDay('to', query.to)
      : parseDay('to', isoDay(now));
    const first = query.from
      ? parseDay('from', query.from)
      : new Date(last.getTime() - (DEFAULT_TREND_DAYS - 1) * DAY_MS);
    if (first > last) throw new InputError('from: not after to');
    if ((last.getTime() - first.getTime()) / DAY_MS + 1 > MAX_TREND_DAYS) {
      throw new InputError(`from: at most ${MAX_TREND_DAYS} days before to`);
    }
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      pipelineReadPermission,
      query.organization,
    );
    let pipelineIds: string[] | undefined;
    if (query.pipelineId) pipelineIds = [query.pipelineId];
    if (query.tableId) {
      pipelineIds = await this.options.store.tablePipelines(
        await this.options.authorizer.accessFilter(
          credentials,
          tableReadPermission,
          query.organization,
        ),
        query.tableId,
      );
      if (!pipelineIds) {
        throw new NotFoundError(`Table '${query.tableId}' not found`);
      }
    }
    const scope = {
      filter,
      pipelineIds,
      from: first,
      to: new Date(last.getTime() + DAY_MS),
    };
    const [daily, latest] = await Promise.all([
      this.options.store.daily(scope),
      this.options.store.latest(scope),
    ]);

    const byDay = new Map<
      string,
      { counts: WeightedCounts; checks: number; failed: number }
    >();
    for (const row of daily) {
      const entry = byDay.get(row.day) ?? {
        counts: { passed: 0, total: 0 },
        checks: 0,
        failed: 0,
      };
      entry.counts = addChecks(
        entry.counts,
        row.severity,
        row.passed,
        row.count,
      );
      entry.checks += row.count;
      entry.failed += row.passed ? 0 : row.count;
      byDay.set(row.day, entry);
    }
    const trend = [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, entry]) => ({
        day,
        score: scoreOf(entry.counts) ?? 0,
        checks: entry.checks,
        failed: entry.failed,
      }));

    const byPipeline = new Map<string, LatestCheck[]>();
    for (const check of latest) {
      byPipeline.set(check.pipelineId, [
        ...(byPipeline.get(check.pipelineId) ?? []),
        check,
      ]);
    }
    const pipelines = [...byPipeline.values()]
      .map(checks => ({
        pipelineId: checks[0].pipelineId,
        name: checks[0].pipelineName,
        runId: checks[0].runId,
        checkedAt: checks[0].checkedAt,
        breaches: checks.filter(c => !c.passed).length,
        ...summarize(checks),
      }))
      .sort(
        (a, b) =>
          (a.score ?? 100) - (b.score ?? 100) || a.name.localeCompare(b.name),
      );
    const breaches = latest
      .filter(check => !check.passed)
      .sort(
        (a, b) =>
          weightOf(b.severity) - weightOf(a.severity) ||
          b.checkedAt.localeCompare(a.checkedAt) ||
          a.pipelineName.localeCompare(b.pipelineName) ||
          a.ruleIndex - b.ruleIndex,
      );
    return {
      organization: query.organization,
      ...(query.pipelineId ? { pipelineId: query.pipelineId } : {}),
      ...(query.tableId ? { tableId: query.tableId } : {}),
      from: isoDay(first),
      to: isoDay(last),
      bucket: 'day',
      weights: { ...SEVERITY_WEIGHTS },
      current: summarize(latest),
      trend,
      breaches,
      pipelines,
    };
  }
}
