import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Publish the workspace to a new repository under the organization's storage root, named after the pipeline.",
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'ingestion:repo:publish',
          name: 'Publish the repository',
          input: {
            organization: '${{ parameters.organization }}',
            repoName: '${{ parameters.name }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Publish one folder of the workspace on a branch of your choice, with your own commit message.',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'ingestion:repo:publish',
          name: 'Publish the repository',
          input: {
            organization: 'finance',
            repoName: 'daily-transactions',
            sourcePath: 'pipeline',
            defaultBranch: 'trunk',
            commitMessage: 'Add the daily-transactions pipeline',
          },
        },
      ],
    }),
  },
];
