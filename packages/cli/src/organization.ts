import fs from 'node:fs/promises';
import type { CodegenOrganization } from '@ingestion-for-backstage/plugin-ingestion-node';
import { parse } from 'yaml';
import { CliError, EXIT } from './exitCodes';

/** Options naming the organization of offline commands. */
export interface OrganizationOptions {
  org?: string;
  orgConfig?: string;
  costCenter?: string;
  environment?: string;
}

const ENVIRONMENTS = ['production', 'staging', 'development'] as const;

/**
 * The organization for code generation and the tenant checks: an `--org-config` file (YAML or
 * JSON, the fields of an `ingestion.organizations[]` entry that code generation reads: id,
 * name, costCenter, environment, owner, storage, icebergCatalog, databricks, quotas) and/or
 * `--org` with defaults for what is not given.
 */
export async function readOrganization(
  options: OrganizationOptions,
): Promise<CodegenOrganization | undefined> {
  let fromFile: Partial<CodegenOrganization> = {};
  if (options.orgConfig) {
    const text = await fs.readFile(options.orgConfig, 'utf8').catch(error => {
      throw new CliError(
        `${options.orgConfig}: ${(error as Error).message}`,
        EXIT.USAGE,
      );
    });
    fromFile = (parse(text) ?? {}) as Partial<CodegenOrganization>;
  }
  const id = options.org ?? fromFile.id;
  if (!id) return undefined;
  const environment = options.environment ?? fromFile.environment;
  if (
    environment !== undefined &&
    !ENVIRONMENTS.includes(environment as (typeof ENVIRONMENTS)[number])
  ) {
    throw new CliError(
      `--environment: one of ${ENVIRONMENTS.join(', ')}`,
      EXIT.USAGE,
    );
  }
  return {
    ...fromFile,
    id,
    name: fromFile.name ?? id,
    costCenter: options.costCenter ?? fromFile.costCenter ?? 'unassigned',
    environment: (environment ??
      'development') as CodegenOrganization['environment'],
    owner: fromFile.owner ?? `group:default/${id}`,
    quotas: fromFile.quotas ?? { maxConcurrentJobs: 1 },
  };
}
