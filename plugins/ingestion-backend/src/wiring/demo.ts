import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { seedDemoCostHistory } from '../demo/costHistory';
import { DemoDataSeeder } from '../demo/DemoDataSeeder';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { PipelinesService } from '../service/PipelinesService';
import type { RunsService } from '../service/RunsService';

/** The embedded default's first start: sample data, demo pipelines and their first runs, cost history. */
export async function seedDemoData(options: {
  auth: AuthService;
  logger: LoggerService;
  knex: Knex;
  directory: OrganizationDirectory;
  pipelines: PipelinesService;
  runs: RunsService;
  pricing: Parameters<typeof seedDemoCostHistory>[0]['pricing'];
}): Promise<void> {
  const { auth, logger, knex, directory, pipelines, runs } = options;
  await new DemoDataSeeder({ auth, logger, directory, pipelines, runs }).seed();
  await seedDemoCostHistory({
    knex,
    logger,
    organizations: directory.organizations,
    pricing: options.pricing,
  });
}
