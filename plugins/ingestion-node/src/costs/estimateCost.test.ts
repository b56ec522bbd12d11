import {
  validatePipelineSpec,
  type OrganizationQuotas,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { getClusterConfig } from '../codegen/cluster';
import {
  budgetAfter,
  dbuRate,
  defaultWorkloadType,
  estimateCost,
  estimatePipelineCost,
  quotaHeadroom,
} from './estimateCost';

function spec(input: Record<string, unknown>): PipelineSpec {
  const result = validatePipelineSpec(input);
  if (!result.valid) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

const batch = spec({
  pipeline_type: 'batch',
  schedule: '0 2 * * *',
  source: { type: 'mysql', connection: 'finance-db', table: 'transactions' },
  target: { type: 'iceberg', catalog: 'c', schema: 'analytics', table: 't' },
});
const stream = spec({
  pipeline_type: 'streaming',
  source: { type: 'kafka', bootstrap_servers: 'kafka:9092', topic: 'events' },
  target: { type: 'delta', path: 'streaming/events', output_mode: 'append' },
});
const finance = {
  id: 'finance',
  name: 'Finance',
  costCenter: 'FIN-001',
  environment: 'development' as const,
  owner: 'group:default/finance',
  quotas: { maxConcurrentJobs: 20 },
};
const pricing = { dbu: 0.55, currency: 'USD' };
const financeEstimate = (expectedVolumeGb: number, pipeline = batch) => {
  const workloadType = defaultWorkloadType(pipeline);
  return estimateCost({
    spec: pipeline,
    cluster: getClusterConfig(finance, workloadType),
    workloadType,
    expectedVolumeGb,
    pricing,
  });
};
const quotas: OrganizationQuotas = {
  databricks: { maxDbuPerHour: 100, maxClusters: 10, maxConcurrentJobs: 20 },
  storage: { maxStorageGb: 10000, retentionDays: 2555 },
  compute: { maxEcsTasks: 50, maxCpuUnits: 10000 },
  api: { requestsPerMinute: 1000, requestsPerDay: 100000 },
};

describe('estimateCost', () => {
  it('sizes a daily batch on the organization cluster and prices its runs', () => {
    // finance: i3.xlarge (1 DBU/h) with 2–10 workers; 5 GB need the minimum of 2 workers.
    const estimate = financeEstimate(5);
    expect(estimate).toMatchObject({
      nodeType: 'i3.xlarge',
      workers: 2,
      dbuPerHour: 3,
      minDbuPerHour: 3,
      maxDbuPerHour: 11,
      hoursPerRun: 0.2,
      dbusPerRun: 0.6,
      costPerRun: 0.33,
      runsPerMonth: 30.4,
      costPerMonth: 10.03,
      storageGbPerMonth: 152,
      basis: 'run',
    });
    expect(estimate.assumptions).toContain(
      '30.4 runs a month on the schedule 0 2 * * * (UTC)',
    );
  });

  it('grows the cluster with the volume, up to its maximum', () => {
    const estimate = financeEstimate(1000);
    expect(estimate.workers).toBe(10);
    expect(estimate.hoursPerRun).toBe(4.1);
  });

  it('prices a continuous stream per hour, 730 hours a month', () => {
    expect(defaultWorkloadType(stream)).toBe('streaming');
    const estimate = financeEstimate(2, stream);
    expect(estimate).toMatchObject({
      basis: 'hour',
      workers: 3,
      dbuPerHour: 4,
      costPerRun: 2.2,
      runsPerMonth: 730,
      costPerMonth: 1606,
    });
  });

  it('rates unknown node types by their size', () => {
    expect(dbuRate('r5.xlarge')).toBe(0.9);
    expect(dbuRate('x2.16xlarge')).toBe(16);
    expect(dbuRate('t3.large')).toBe(0.5);
    expect(dbuRate('custom')).toBe(1);
  });
});

describe('quotaHeadroom and budgetAfter', () => {
  const estimate = financeEstimate(5);

  it('reports the room left, with no problem for a pipeline that fits', () => {
    expect(
      quotaHeadroom({
        organizationId: 'finance',
        quotas,
        usage: { concurrentRuns: 2, dbuLastHour: 40, storageGb: 12 },
        estimate,
      }),
    ).toEqual({
      dbuPerHour: {
        quota: 100,
        usedLastHour: 40,
        clusterMin: 3,
        clusterMax: 11,
        headroom: 60,
      },
      storageGb: { quota: 10000, used: 12, projected: 164, headroom: 9988 },
      concurrentRuns: { quota: 20, current: 2, headroom: 18 },
      exceeded: [],
      warnings: [],
    });
  });

  it('says what keeps a pipeline from running, and what it may run into', () => {
    const tight = quotaHeadroom({
      organizationId: 'finance',
      quotas: {
        ...quotas,
        databricks: { ...quotas.databricks, maxDbuPerHour: 2 },
        storage: { ...quotas.storage, maxStorageGb: 12 },
      },
      usage: { concurrentRuns: 0, dbuLastHour: 1, storageGb: 12 },
      estimate,
    });
    expect(tight.exceeded).toEqual([
      expect.stringContaining('uses 3 DBU per hour'),
      expect.stringContaining('has used all of its 12 GB of storage'),
    ]);
    expect(tight.warnings).toEqual([
      "'finance' used 1 of its 2 DBU in the last hour: a run now would be queued until enough is free.",
    ]);
  });

  it('warns when a month of the pipeline is more than the budget left', () => {
    expect(
      budgetAfter({
        organizationId: 'finance',
        budget: { monthly: 5000, spentThisMonth: 4995 },
        estimate,
      }),
    ).toEqual({
      monthly: 5000,
      spentThisMonth: 4995,
      remaining: 5,
      remainingAfter: -5.03,
      exceeded: true,
      warning:
        "The estimated monthly cost (10.03 USD) is more than the 5 USD left of 'finance''s budget this month.",
    });
    expect(
      budgetAfter({
        organizationId: 'finance',
        budget: { monthly: 5000, spentThisMonth: 800 },
        estimate,
      }).exceeded,
    ).toBe(false);
  });
});

describe('estimatePipelineCost', () => {
  it('answers with the estimate, the headroom and the budget, warnings together', () => {
    const result = estimatePipelineCost({
      organization: finance,
      spec: batch,
      expectedVolumeGb: 5,
      pricing,
      quotas,
      usage: { concurrentRuns: 0, dbuLastHour: 99, storageGb: 0 },
      budget: { monthly: 100, spentThisMonth: 95 },
      appliedDefaults: ['target.catalog: c'],
    });
    expect(result.organization).toBe('finance');
    expect(result.estimate.costPerMonth).toBe(10.03);
    expect(result.budget).toEqual({
      monthly: 100,
      spentThisMonth: 95,
      remaining: 5,
      remainingAfter: -5.03,
      exceeded: true,
    });
    expect(result.appliedDefaults).toEqual(['target.catalog: c']);
    expect(result.warnings).toEqual([
      expect.stringContaining('used 99 of its 100 DBU'),
      expect.stringContaining('more than the 5 USD left'),
    ]);
  });

  it('leaves the budget out for organizations without one', () => {
    const result = estimatePipelineCost({
      organization: finance,
      spec: stream,
      pricing,
      quotas,
      usage: { concurrentRuns: 0, dbuLastHour: 0, storageGb: 0 },
    });
    expect(result.budget).toBeUndefined();
    expect(result.estimate.workloadType).toBe('streaming');
    expect(result.warnings).toEqual([]);
  });
});
