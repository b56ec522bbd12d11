import { dbuRate, estimatedWorkers, estimateRunDbus } from './dbus';

const MINUTE = 60_000;

describe('dbuRate', () => {
  it('uses the rate table, then the instance size', () => {
    expect(dbuRate('i3.xlarge')).toBe(1);
    expect(dbuRate('i3.2xlarge')).toBe(2);
    expect(dbuRate('r5.4xlarge')).toBe(4);
    expect(dbuRate('m5.large')).toBe(0.5);
    expect(dbuRate('t3.medium')).toBe(0.25);
    expect(dbuRate('Standard_DS3_v2')).toBe(1);
    expect(dbuRate('r5.xlarge', { 'r5.xlarge': 0.9 })).toBe(0.9);
  });
});

describe('estimatedWorkers', () => {
  it('counts fixed clusters as they are and autoscaling ones at the midpoint of their range', () => {
    expect(estimatedWorkers({ num_workers: 4 })).toBe(4);
    expect(
      estimatedWorkers({ autoscale: { min_workers: 5, max_workers: 20 } }),
    ).toBe(12.5);
    expect(estimatedWorkers({})).toBe(0);
  });
});

describe('estimateRunDbus', () => {
  it('is (driver rate + workers × worker rate) × (setup + execution + cleanup) hours, summed over tasks', () => {
    const dbus = estimateRunDbus({
      run_id: 1,
      tasks: [
        {
          task_key: 'a',
          new_cluster: {
            spark_version: 'x',
            node_type_id: 'i3.2xlarge',
            num_workers: 5,
          },
          setup_duration: 5 * MINUTE,
          execution_duration: 50 * MINUTE,
          cleanup_duration: 5 * MINUTE,
        },
        {
          task_key: 'b',
          new_cluster: {
            spark_version: 'x',
            node_type_id: 'r5.xlarge',
            driver_node_type_id: 'r5.2xlarge',
            autoscale: { min_workers: 1, max_workers: 3 },
          },
          execution_duration: 30 * MINUTE,
        },
      ],
    });
    // (2 + 5 × 2) × 1 h + (2 + 2 × 1) × 0.5 h
    expect(dbus).toBe(14);
  });

  it('counts nothing for existing clusters and falls back to the submitted cluster', () => {
    const run = {
      run_id: 1,
      run_duration: 90 * MINUTE,
      tasks: [
        { task_key: 'a' },
        {
          task_key: 'b',
          existing_cluster_id: '0101-abc',
          execution_duration: MINUTE,
        },
      ],
    };
    expect(estimateRunDbus(run)).toBe(0);
    expect(
      estimateRunDbus(run, {
        fallbackCluster: { node_type_id: 'i3.xlarge', num_workers: 1 },
      }),
    ).toBe(3);
  });
});
