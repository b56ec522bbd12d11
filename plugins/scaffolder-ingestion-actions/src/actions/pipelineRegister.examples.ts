import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Register the pipeline that ingestion:pipeline:create built, as the user running the template.',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'ingestion:pipeline:register',
          name: 'Register the pipeline',
          input: {
            organization: '${{ steps.create.output.organization }}',
            name: '${{ steps.create.output.name }}',
            owner: '${{ steps.create.output.owner }}',
            description: '${{ parameters.description }}',
            spec: '${{ steps.create.output.spec }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Register a pipeline from a literal spec, with a comment stored with the version. Registering it again with another spec saves version 2.',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'ingestion:pipeline:register',
          name: 'Register the pipeline',
          input: {
            organization: 'finance',
            name: 'card-payments',
            comment: 'First version',
            spec: {
              pipeline_type: 'batch',
              source: {
                type: 'postgres',
                connection: 'finance-db',
                schema: 'payments',
                table: 'card_payments',
                incremental_column: 'updated_at',
              },
              target: {
                type: 'iceberg',
                catalog: 'finance_catalog',
                schema: 'raw',
                table: 'card_payments',
              },
            },
          },
        },
      ],
    }),
  },
];
