import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "The architecture guide's batch example: MySQL to Iceberg with a filter, a daily aggregate and a completeness rule. The Iceberg catalog comes from the organization.",
    example: yaml.stringify({
      steps: [
        {
          id: 'create',
          action: 'ingestion:pipeline:create',
          name: 'Build and check the pipeline',
          input: {
            organization: 'finance',
            name: 'daily-transactions',
            description:
              'Daily totals per customer from the transactions table',
            owner: 'group:default/finance-engineers',
            expectedVolumeGb: 5,
            spec: {
              pipeline_type: 'batch',
              schedule: '0 2 * * *',
              source: {
                type: 'mysql',
                connection: 'finance-db',
                table: 'transactions',
                incremental_column: 'updated_at',
              },
              transformations: [
                { type: 'filter', condition: 'amount > 0' },
                {
                  type: 'aggregate',
                  group_by: ['customer_id', 'date'],
                  aggregations: { amount: 'sum', count: 'count' },
                },
              ],
              target: {
                type: 'iceberg',
                schema: 'analytics',
                table: 'daily_transactions',
              },
              data_quality: [
                {
                  type: 'completeness',
                  columns: ['customer_id', 'amount'],
                  threshold: 0.95,
                },
              ],
            },
          },
        },
      ],
    }),
  },
  {
    description:
      'Form answers as a template passes them: unanswered fields are left out, and list items whose `if` is false are dropped (here the filter, when the form left it empty). Test the answer itself (`| length > 0`): an unanswered field renders to nothing, so `if: ${{ parameters.filter }}` would vanish with it.',
    example: yaml.stringify({
      steps: [
        {
          id: 'create',
          action: 'ingestion:pipeline:create',
          name: 'Build and check the pipeline',
          input: {
            organization: '${{ parameters.organization }}',
            name: '${{ parameters.name }}',
            expectedVolumeGb: '${{ parameters.expectedVolumeGb }}',
            spec: {
              pipeline_type: 'batch',
              schedule: '${{ parameters.schedule }}',
              source: {
                type: '${{ parameters.database }}',
                connection: '${{ parameters.connection }}',
                schema: '${{ parameters.sourceSchema }}',
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
                schema: '${{ parameters.targetSchema }}',
                table: '${{ parameters.targetTable }}',
              },
            },
          },
        },
      ],
    }),
  },
  {
    description:
      "The guide's streaming example: Kafka to Delta in 5-minute windows, running continuously; the estimate is per hour.",
    example: yaml.stringify({
      steps: [
        {
          id: 'create',
          action: 'ingestion:pipeline:create',
          name: 'Build and check the pipeline',
          input: {
            organization: 'retail',
            name: 'user-event-stats',
            expectedVolumeGb: 2,
            spec: {
              pipeline_type: 'streaming',
              source: {
                type: 'kafka',
                bootstrap_servers: 'kafka-cluster:9092',
                topic: 'user-events',
                consumer_group: 'retail-analytics',
              },
              transformations: [
                {
                  type: 'window',
                  window_type: 'tumbling',
                  duration: '5 minutes',
                },
                {
                  type: 'aggregate',
                  group_by: ['user_id', 'event_type'],
                  aggregations: { count: 'count', avg_value: 'avg' },
                },
              ],
              target: {
                type: 'delta',
                path: 'streaming/user-events',
                mode: 'append',
                output_mode: 'update',
              },
            },
          },
        },
      ],
    }),
  },
];
