import { ResponseError } from '@backstage/errors';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  CostEstimateRequest,
  CostEstimateResult,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { screen } from '@testing-library/react';
import { ingestionApiRef } from '../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../api/__testUtils__/mockIngestionApi';
import { CostEstimateField } from './CostEstimateField';

jest.setTimeout(60_000);

/** The review field's options as the batch template writes them. */
const uiOptions = {
  organization: '${{ parameters.organization }}',
  expectedVolumeGb: '${{ parameters.expectedVolumeGb }}',
  spec: {
    pipeline_type: 'batch',
    schedule: '${{ parameters.schedule }}',
    source: {
      type: '${{ parameters.database }}',
      connection: '${{ parameters.connection }}',
      table: '${{ parameters.sourceTable }}',
    },
    transformations: [
      {
        if: '${{ parameters.filter | length > 0 }}',
        type: 'filter',
        condition: '${{ parameters.filter }}',
      },
    ],
    target: {
      type: 'iceberg',
      table: '${{ parameters.targetTable }}',
      mode: '${{ parameters.mode }}',
      merge_keys: "${{ parameters.mergeKeys if parameters.mode == 'merge' }}",
    },
  },
};

const answers = {
  organization: 'finance',
  name: 'daily-transactions',
  schedule: '0 2 * * *',
  database: 'mysql',
  connection: 'finance-db',
  sourceTable: 'transactions',
  filter: 'amount > 0',
  targetTable: 'daily_transactions',
  mode: 'append',
  mergeKeys: ['id'],
  expectedVolumeGb: 5,
};

function result(
  overrides: Partial<CostEstimateResult> = {},
): CostEstimateResult {
  return {
    organization: 'finance',
    estimate: {
      currency: 'USD',
      dbuPrice: 0.55,
      workloadType: 'batch',
      nodeType: 'i3.xlarge',
      dbuPerNodeHour: 1,
      minWorkers: 2,
      maxWorkers: 10,
      workers: 2,
      dbuPerHour: 3,
      minDbuPerHour: 3,
      maxDbuPerHour: 11,
      basis: 'run',
      hoursPerRun: 0.2,
      dbusPerRun: 0.6,
      costPerRun: 0.33,
      runsPerMonth: 30.4,
      costPerMonth: 10.03,
      storageGbPerMonth: 152,
      assumptions: ['25 GB of source data per worker and hour'],
    },
    budget: {
      monthly: 5000,
      spentThisMonth: 800,
      remaining: 4200,
      remainingAfter: 4189.97,
      exceeded: false,
    },
    quotas: {
      dbuPerHour: {
        quota: 100,
        usedLastHour: 12,
        clusterMin: 3,
        clusterMax: 11,
        headroom: 88,
      },
      storageGb: { quota: 10000, used: 120, projected: 272, headroom: 9880 },
      concurrentRuns: { quota: 20, current: 2, headroom: 18 },
      exceeded: [],
      warnings: [],
    },
    appliedDefaults: ['target.catalog: finance_catalog'],
    warnings: [],
    ...overrides,
  };
}

async function render(
  estimateCost: (request: CostEstimateRequest) => Promise<CostEstimateResult>,
  formData: Record<string, unknown> = answers,
) {
  const props = {
    onChange: jest.fn(),
    formData: undefined,
    formContext: { formData },
    schema: { title: 'Estimated cost' },
    uiSchema: { 'ui:options': uiOptions },
    rawErrors: [],
    idSchema: { $id: 'root_costEstimate' },
  } as any;
  await renderInTestApp(<CostEstimateField {...props} />, {
    apis: [[ingestionApiRef, mockIngestionApi({ estimateCost })]],
  });
  return props;
}

describe('CostEstimateField', () => {
  it("estimates the pipeline built from the form's answers, before Create", async () => {
    const estimateCost = jest.fn(async () => result());
    const props = await render(estimateCost);

    expect(await screen.findByText('$0.33')).toBeInTheDocument();
    expect(screen.getByText('Cost per run')).toBeInTheDocument();
    expect(screen.getByText('$10.03 (30.4 runs)')).toBeInTheDocument();
    expect(
      screen.getByText('0.6 DBU at $0.55 per DBU, 0.2 h'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('2 of 2–10 × i3.xlarge (batch), 3 DBU/h'),
    ).toBeInTheDocument();
    expect(screen.getByText('$4,200.00 of $5,000.00')).toBeInTheDocument();
    expect(
      screen.getByText(/Assumptions: 25 GB of source data per worker and hour/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Over budget/)).not.toBeInTheDocument();

    // The same mapping as the create step: conditions applied, types kept.
    expect(estimateCost).toHaveBeenCalledWith({
      organization: 'finance',
      expectedVolumeGb: 5,
      spec: {
        pipeline_type: 'batch',
        schedule: '0 2 * * *',
        source: {
          type: 'mysql',
          connection: 'finance-db',
          table: 'transactions',
        },
        transformations: [
          { if: true, type: 'filter', condition: 'amount > 0' },
        ],
        target: {
          type: 'iceberg',
          table: 'daily_transactions',
          mode: 'append',
          merge_keys: '',
        },
      },
    });
    expect(props.onChange).not.toHaveBeenCalled();
  });

  it('warns clearly when a month of the pipeline is over the budget', async () => {
    await render(async () =>
      result({
        budget: {
          monthly: 5000,
          spentThisMonth: 4995,
          remaining: 5,
          remainingAfter: -5.03,
          exceeded: true,
        },
        warnings: [
          "The estimated monthly cost (10.03 USD) is more than the 5 USD left of 'finance''s budget this month.",
        ],
      }),
    );
    expect(
      await screen.findByText(/Over budget: \$10\.03 a month, \$5\.00 left$/),
    ).toBeInTheDocument();
    expect(screen.getByText('-$5.03')).toBeInTheDocument();
  });

  it('says when the pipeline cannot run within the quotas', async () => {
    const base = result();
    await render(async () =>
      result({
        quotas: {
          ...base.quotas,
          exceeded: ["Organization 'finance' has used all of its storage."],
        },
      }),
    );
    expect(
      await screen.findByText(/cannot run within the organization's quotas/),
    ).toBeInTheDocument();
  });

  it('asks for an organization first, without calling the backend', async () => {
    const estimateCost = jest.fn(async () => result());
    await render(estimateCost, { ...answers, organization: undefined });
    expect(
      await screen.findByText(
        'Choose an organization to see the estimated cost.',
      ),
    ).toBeInTheDocument();
    expect(estimateCost).not.toHaveBeenCalled();
  });

  it("lists the spec's problems with their paths", async () => {
    const body = JSON.stringify({
      error: { name: 'InputError', message: '1 problem in spec' },
      request: { method: 'POST', url: '/api/ingestion/v1/costs/estimate' },
      response: { statusCode: 400 },
      problems: [{ path: 'source.table', message: 'Required' }],
    });
    const error = await ResponseError.fromResponse({
      ok: false,
      status: 400,
      statusText: 'Bad Request',
      url: 'http://localhost/api/ingestion/v1/costs/estimate',
      headers: { get: () => 'application/json' },
      text: async () => body,
    } as any);
    await render(async () => {
      throw error;
    });
    expect(await screen.findByText('spec.source.table')).toBeInTheDocument();
    expect(screen.getByText(/: Required/)).toBeInTheDocument();
  });

  it("shows the backend's refusal", async () => {
    const denied = await responseError(
      403,
      'NotAllowedError',
      "Your roles in organization 'finance' do not allow ingestion.pipeline.create",
    );
    await render(async () => {
      throw denied;
    });
    expect(
      await screen.findByText(/No estimate: the backend refused it$/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        "Your roles in organization 'finance' do not allow ingestion.pipeline.create",
      ),
    ).toBeInTheDocument();
  });
});
