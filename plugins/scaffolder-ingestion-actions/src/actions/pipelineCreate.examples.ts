import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';
import yaml from 'yaml';

/** The brief's Iceberg target, without a catalog: the action takes the organization's. */
const { catalog: _catalog, ...orgCatalogTarget } = briefBatchExample().target;

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
            spec: { ...briefBatchExample(), target: orgCatalogTarget },
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
