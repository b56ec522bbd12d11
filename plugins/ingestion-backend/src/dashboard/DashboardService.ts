import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  costReadPermission,
  pipelineReadPermission,
  type OrganizationDashboard,
  type SpendSummary,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import {
  addChecks,
  scoreOf,
  type WeightedCounts,
} from '../quality/qualityScore';
import { previousFireTime } from '../runs/schedules';
import type {
  DashboardPipeline,
  DashboardPipelineQuery,
  DashboardScope,
  DashboardStore,
} from './DashboardStore';
import type { StaleThreshold } from './healthSql';

/** Failed runs listed on the dashboard. */
export const RECENT_FAILURES = 10;

export type { OrganizationDashboard };

/**
 * The organization's quality score from its latest checks, with the quality module's weights and
 * formula (the same number `GET /v1/quality/scores` answers as `current`).
 */
function qualityOf(
  checks: Array<{ severity: string; passed: boolean; count: number }>,
): OrganizationDashboard['quality'] {
  let counts: WeightedCounts = { passed: 0, total: 0 };
  let rules = 0;
  let passing = 0;
  for (const check of checks) {
    counts = addChecks(counts, check.severity, check.passed, check.count);
    rules += check.count;
    passing += check.passed ? check.count : 0;
  }
  return { score: scoreOf(counts), rules, passing };
}

const ACTIVE = new Set(['queued', 'submitted', 'running']);
const FINISHED = new Set(['succeeded', 'failed', 'quality_failed']);

/** The interface of the spend service this needs (`SpendService.summary`). */
export interface SpendSummaries {
  summary(
    credentials: BackstageCredentials,
    query: { organization: string },
  ): Promise<SpendSummary>;
}

/**
 * An organization's dashboard: pipelines by health, today's runs, quality score, spend against
 * budget and recent failures, over what the caller may read (as `GET /v1/pipelines`): a
 * non-member gets 404; every member with pipeline read sees it (it changes nothing).
 */
export class DashboardService {
  constructor(
    private readonly options: {
      store: DashboardStore;
      authorizer: IngestionAuthorizer;
      spend?: SpendSummaries;
      freshnessGraceMs: number;
      clock?: () => Date;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  private async scope(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<DashboardScope> {
    // 404 for another organization, 403 for a member without pipeline read.
    await this.options.authorizer.authorizeOrganization(
      credentials,
      pipelineReadPermission,
      organizationId,
    );
    return {
      organizationId,
      filter: await this.options.authorizer.accessFilter(
        credentials,
        pipelineReadPermission,
        organizationId,
      ),
    };
  }

  /** Per distinct schedule, the instant after which a success keeps its pipelines fresh. */
  private async thresholds(
    scope: DashboardScope,
    now: Date,
  ): Promise<StaleThreshold[]> {
    const schedules = await this.options.store.schedules(scope);
    const due = new Date(now.getTime() - this.options.freshnessGraceMs);
    return schedules.flatMap(({ schedule, timezone }) => {
      const missed = previousFireTime(schedule, timezone, due);
      const before = missed && previousFireTime(schedule, timezone, missed);
      return before ? [{ schedule, timezone, before }] : [];
    });
  }

  async dashboard(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<OrganizationDashboard> {
    const scope = await this.scope(credentials, organizationId);
    const now = this.now();
    const since = new Date(now.toISOString().slice(0, 10));
    const thresholds = await this.thresholds(scope, now);
    const [health, runs, failures, quality, spend] = await Promise.all([
      this.options.store.healthCounts(scope, thresholds),
      this.options.store.runsSince(scope, since),
      this.options.store.recentFailures(scope, RECENT_FAILURES),
      this.options.store.latestChecks(scope),
      this.spend(credentials, organizationId),
    ]);
    const count = (pick: (status: string) => boolean) =>
      runs.filter(r => pick(r.status)).reduce((n, r) => n + r.count, 0);
    const finished = count(s => FINISHED.has(s));
    const succeeded = count(s => s === 'succeeded');
    return {
      organization: organizationId,
      generatedAt: now.toISOString(),
      pipelines: {
        total: Object.values(health).reduce((a, b) => a + b, 0),
        ...health,
      },
      runsToday: {
        since: since.toISOString(),
        total: count(() => true),
        succeeded,
        failed: count(s => s === 'failed' || s === 'quality_failed'),
        active: count(s => ACTIVE.has(s)),
        successRate:
          finished > 0 ? Math.round((succeeded / finished) * 1000) / 10 : null,
      },
      quality: qualityOf(quality),
      ...(spend ? { spend } : {}),
      recentFailures: failures,
      freshnessGraceMinutes: Math.round(this.options.freshnessGraceMs / 60_000),
    };
  }

  private async spend(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<OrganizationDashboard['spend']> {
    if (
      !this.options.spend ||
      !(await this.options.authorizer.isAllowed(
        credentials,
        costReadPermission,
        { organizationId },
      ))
    ) {
      return undefined;
    }
    const summary = await this.options.spend.summary(credentials, {
      organization: organizationId,
    });
    return {
      currency: summary.currency,
      month: summary.month,
      monthToDate: summary.monthToDate,
      forecast: summary.forecast,
      ...(summary.budget
        ? {
            budget: {
              monthly: summary.budget.monthly,
              progress: summary.budget.progress,
              forecastProgress: summary.budget.forecastProgress,
            },
          }
        : {}),
      trend: summary.trend,
    };
  }

  async pipelines(
    credentials: BackstageCredentials,
    organizationId: string,
    query: DashboardPipelineQuery,
  ): Promise<{ items: DashboardPipeline[]; totalCount: number }> {
    const scope = await this.scope(credentials, organizationId);
    const thresholds = await this.thresholds(scope, this.now());
    return this.options.store.listPipelines(scope, query, thresholds);
  }
}
