import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { PipelinesService } from '../service/PipelinesService';
import type { RunsService } from '../service/RunsService';
import { DEMO_PIPELINES, type DemoPipeline } from './demoPipelines';

/**
 * Seeds the embedded default on first start: sample files in each demo organization's storage,
 * the demo pipelines, and one run of each (the run driver takes them from the queue). Idempotent:
 * an existing file is kept, and an organization that has pipelines gets none added.
 */
export class DemoDataSeeder {
  constructor(
    private readonly options: {
      auth: AuthService;
      logger: LoggerService;
      directory: OrganizationDirectory;
      pipelines: PipelinesService;
      runs: RunsService;
      demoPipelines?: DemoPipeline[];
    },
  ) {}

  async seed(): Promise<{ pipelines: number; runs: number }> {
    const { auth, directory, pipelines, runs, logger } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const seeded = { pipelines: 0, runs: 0 };
    const demo = (this.options.demoPipelines ?? DEMO_PIPELINES).filter(p =>
      directory.find(p.organization),
    );
    for (const organizationId of new Set(demo.map(p => p.organization))) {
      const organization = directory.get(organizationId);
      const existing = await pipelines.list(credentials, {
        organization: organizationId,
        sort: 'name',
        order: 'asc',
        limit: 1,
      });
      if (
        existing.items.length > 0 ||
        organization.storage.startsWith('s3://')
      ) {
        continue;
      }
      for (const pipeline of demo.filter(
        p => p.organization === organizationId,
      )) {
        await this.writeFiles(path.resolve(organization.storage), pipeline);
        const created = await pipelines.create(credentials, {
          organization: organizationId,
          name: pipeline.name,
          description: pipeline.description,
          owner: organization.ownerGroup,
          spec: pipeline.spec,
          comment: 'Demo pipeline of the embedded default',
        });
        seeded.pipelines += 1;
        await runs.trigger(credentials, created.id, { trigger: 'api' });
        seeded.runs += 1;
      }
    }
    if (seeded.pipelines > 0) {
      logger.info(
        `Seeded ${seeded.pipelines} demo pipelines and queued ${seeded.runs} runs`,
      );
    }
    return seeded;
  }

  private async writeFiles(root: string, pipeline: DemoPipeline) {
    for (const [relative, content] of Object.entries(pipeline.files)) {
      const file = path.join(root, relative);
      try {
        await fs.access(file);
      } catch {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, content());
      }
    }
  }
}
