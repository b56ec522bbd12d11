import {
  awsAttributes,
  buildClusterSpec,
  costTags,
  getClusterConfig,
  SPARK_CONFIG,
} from './cluster';
import type { WorkloadType } from './types';
import {
  finance,
  healthcare,
  pipeline,
  research,
  retail,
} from './__fixtures__/organizations';

describe('getClusterConfig', () => {
  // Expected values transcribed from the architecture guide's get_cluster_config.
  it.each<[string, typeof finance, WorkloadType, string, number, number]>([
    ['finance batch', finance, 'batch', 'i3.xlarge', 2, 10],
    ['retail batch', retail, 'batch', 'i3.2xlarge', 5, 20],
    ['healthcare batch', healthcare, 'batch', 'r5.xlarge', 1, 8],
    ['finance streaming', finance, 'streaming', 'i3.xlarge', 3, 10],
    ['retail streaming', retail, 'streaming', 'i3.2xlarge', 3, 20],
    ['healthcare streaming', healthcare, 'streaming', 'r5.xlarge', 3, 8],
    ['finance batch_large', finance, 'batch_large', 'i3.xlarge', 2, 50],
    ['healthcare batch_large', healthcare, 'batch_large', 'r5.xlarge', 1, 50],
    ['retail interactive', retail, 'interactive', 'i3.2xlarge', 1, 20],
    ['unknown org batch', research, 'batch', 'i3.xlarge', 1, 20],
    ['unknown org streaming', research, 'streaming', 'i3.xlarge', 3, 20],
  ])('%s', (_name, org, workload, nodeType, minWorkers, maxWorkers) => {
    expect(getClusterConfig(org, workload)).toMatchObject({
      nodeType,
      minWorkers,
      maxWorkers,
    });
  });

  it('applies the scaling policy defaults and the workload adjustments', () => {
    expect(getClusterConfig(finance, 'batch')).toEqual({
      nodeType: 'i3.xlarge',
      minWorkers: 2,
      maxWorkers: 10,
      enableAutoscaling: true,
      autoTerminationMinutes: 60,
      spotPercentage: 100,
      spotBidPricePercent: 50,
      enableElasticDisk: true,
      sparkVersion: '16.4.x-scala2.12',
    });
    expect(getClusterConfig(finance, 'batch_large').spotPercentage).toBe(80);
    expect(
      getClusterConfig(finance, 'interactive').autoTerminationMinutes,
    ).toBe(60);
  });

  it('lets the organization override node types per workload and any setting', () => {
    const org = {
      ...finance,
      databricks: {
        nodeTypeOverrides: { streaming: 'i3.4xlarge' },
        cluster: { maxWorkers: 4, sparkVersion: '15.4.x-scala2.12' },
      },
    };
    expect(getClusterConfig(org, 'streaming')).toMatchObject({
      nodeType: 'i3.4xlarge',
      minWorkers: 3,
      maxWorkers: 4,
      sparkVersion: '15.4.x-scala2.12',
    });
    expect(getClusterConfig(org, 'batch').nodeType).toBe('i3.xlarge');
  });

  it('rejects overrides that leave min workers above max', () => {
    const org = { ...healthcare, databricks: { cluster: { maxWorkers: 2 } } };
    expect(() => getClusterConfig(org, 'streaming')).toThrow(
      'Invalid streaming cluster configuration for organization "healthcare": maxWorkers must be an integer of at least minWorkers (got 3–2)',
    );
  });
});

describe('awsAttributes', () => {
  it('keeps only the driver on demand by default', () => {
    expect(awsAttributes(getClusterConfig(finance, 'batch'))).toEqual({
      availability: 'SPOT_WITH_FALLBACK',
      first_on_demand: 1,
      spot_bid_price_percent: 50,
    });
  });

  it('puts 20 % of the workers on demand for batch_large (80 % spot)', () => {
    expect(
      awsAttributes(getClusterConfig(finance, 'batch_large'), 'arn:x'),
    ).toEqual({
      availability: 'SPOT_WITH_FALLBACK',
      first_on_demand: 11,
      spot_bid_price_percent: 50,
      instance_profile_arn: 'arn:x',
    });
  });

  it('uses on-demand instances when spot is disabled', () => {
    const config = {
      ...getClusterConfig(research, 'batch'),
      spotPercentage: 0,
    };
    expect(awsAttributes(config)).toMatchObject({
      availability: 'ON_DEMAND',
      first_on_demand: 21,
    });
  });
});

describe('costTags', () => {
  it('produces the required tags in the guide order', () => {
    expect(costTags(finance, pipeline)).toEqual({
      Organization: 'finance',
      CostCenter: 'FIN-001',
      Environment: 'production',
      Service: 'pipeline',
      Owner: 'group:default/finance-analytics',
      Project: 'pl-7f3a2c',
    });
    expect(Object.keys(costTags(finance, pipeline))).toEqual([
      'Organization',
      'CostCenter',
      'Environment',
      'Service',
      'Owner',
      'Project',
    ]);
  });

  it('prefers the pipeline project, then the organization project', () => {
    expect(costTags(retail, pipeline).Project).toBe('RET-ANALYTICS');
    expect(costTags(retail, { ...pipeline, project: 'P-1' }).Project).toBe(
      'P-1',
    );
  });

  it('replaces characters cloud tags reject', () => {
    expect(
      costTags(finance, { ...pipeline, owner: 'ops"team\n<x>' }).Owner,
    ).toBe('ops_team__x_');
  });
});

describe('buildClusterSpec', () => {
  it('builds an autoscaling job cluster with spot, tags, spark conf and policy', () => {
    const spec = buildClusterSpec({
      organization: finance,
      pipeline,
      config: getClusterConfig(finance, 'batch'),
      kind: 'job',
    });
    expect(spec).toEqual({
      spark_version: '16.4.x-scala2.12',
      node_type_id: 'i3.xlarge',
      driver_node_type_id: 'i3.xlarge',
      autoscale: { min_workers: 2, max_workers: 10 },
      aws_attributes: {
        availability: 'SPOT_WITH_FALLBACK',
        first_on_demand: 1,
        spot_bid_price_percent: 50,
        instance_profile_arn:
          'arn:aws:iam::123456789012:instance-profile/finance-databricks',
      },
      enable_elastic_disk: true,
      spark_conf: SPARK_CONFIG,
      custom_tags: costTags(finance, pipeline),
      data_security_mode: 'SINGLE_USER',
      policy_id: 'E0631F5C0D000123',
    });
    expect(Object.keys(spec.spark_conf!)).toHaveLength(13);
  });

  it('sets auto-termination only on all-purpose clusters and honours fixed sizes', () => {
    const config = {
      ...getClusterConfig(research, 'interactive'),
      enableAutoscaling: false,
    };
    const spec = buildClusterSpec({
      organization: research,
      pipeline,
      config,
      kind: 'all-purpose',
    });
    expect(spec.autotermination_minutes).toBe(60);
    expect(spec.num_workers).toBe(1);
    expect(spec.autoscale).toBeUndefined();
    expect(spec.policy_id).toBeUndefined();
    expect(
      buildClusterSpec({
        organization: research,
        pipeline,
        config,
        kind: 'job',
      }).autotermination_minutes,
    ).toBeUndefined();
  });
});
