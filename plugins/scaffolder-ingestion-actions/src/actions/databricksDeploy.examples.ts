import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Deploy the pipeline that ingestion:pipeline:register saved to its organization's Databricks workspace. On the local engine this step reports that there is nothing to deploy.",
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'ingestion:databricks:deploy',
          name: 'Deploy to Databricks',
          input: {
            pipelineId: '${{ steps.register.output.pipelineId }}',
            organization: '${{ steps.register.output.organization }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Deploy a large backfill on the batch_large cluster profile (up to 50 workers, 80 % spot).',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'ingestion:databricks:deploy',
          name: 'Deploy to Databricks',
          input: {
            pipelineId: '3f9b2c1e-7a4d-4e8f-9b6a-2d5c8e1f0a7b',
            workloadType: 'batch_large',
          },
        },
      ],
    }),
  },
];
