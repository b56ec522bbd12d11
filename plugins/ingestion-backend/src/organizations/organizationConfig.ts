import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import {
  DEFAULT_QUOTAS,
  parseOrganizationDefinition,
  type OrganizationDefinition,
} from './organizationSchema';

export { DEFAULT_QUOTAS };

/**
 * An organization (tenant) as the backend uses it: its settings ({@link OrganizationDefinition},
 * from the store or `ingestion.organizations`) plus what only config holds — the Databricks token
 * and the names of its Iceberg REST catalogs — merged by id.
 */
export interface OrganizationConfig
  extends Omit<OrganizationDefinition, 'databricks'> {
  databricks?: OrganizationDefinition['databricks'] & { token: string };
  /** More catalogs whose tables belong to the organization (its Iceberg REST catalogs). */
  icebergCatalogs?: string[];
  /** Set when a platform admin retired it (ISO 8601): its data stays, nobody else sees it. */
  retiredAt?: string;
}

/** What only config holds for an organization: secrets and REST catalogs. */
export interface OrganizationSecrets {
  databricksToken?: string;
  icebergCatalogs?: string[];
}

/** The keys of a config entry that are the organization's settings (the rest is config-only). */
const DEFINITION_KEYS = [
  'id',
  'name',
  'description',
  'costCenter',
  'environment',
  'ownerGroup',
  'project',
  'roles',
  'quotas',
  'engine',
  'storage',
  'storageLocations',
  'budget',
  'egress',
] as const;

function definitionOf(entry: Config, path: string): OrganizationDefinition {
  const raw = entry.get<JsonObject>();
  const input: Record<string, unknown> = {};
  for (const key of DEFINITION_KEYS) {
    if (raw[key] !== undefined) input[key] = raw[key];
  }
  input.roles ??= {};
  const catalog = entry.getOptionalString('iceberg.catalog');
  if (catalog !== undefined) input.iceberg = { catalog };
  const databricks = entry.getOptionalConfig('databricks');
  if (databricks) {
    const { token: _token, ...link } = databricks.get<JsonObject>();
    input.databricks = link;
  }
  return parseOrganizationDefinition(input, path);
}

function secretsOf(entry: Config): OrganizationSecrets {
  const restCatalogs = (
    entry.getOptionalConfigArray('iceberg.restCatalogs') ?? []
  ).map(catalog => catalog.getString('name'));
  return {
    databricksToken: entry.getOptionalString('databricks.token'),
    ...(restCatalogs.length > 0 && { icebergCatalogs: restCatalogs }),
  };
}

/** An organization's settings with its config-only parts added. */
export function withSecrets(
  definition: OrganizationDefinition,
  secrets: OrganizationSecrets | undefined,
  retiredAt?: string,
): OrganizationConfig {
  const { databricks, ...rest } = definition;
  return {
    ...rest,
    ...(databricks && {
      databricks: { ...databricks, token: secrets?.databricksToken ?? '' },
    }),
    ...(secrets?.icebergCatalogs && {
      icebergCatalogs: secrets.icebergCatalogs,
    }),
    ...(retiredAt && { retiredAt }),
  };
}

/** The settings part of an organization (what the store holds and the API returns). */
export function definitionOfOrganization(
  org: OrganizationConfig,
): OrganizationDefinition {
  const {
    databricks,
    icebergCatalogs: _catalogs,
    retiredAt: _retired,
    ...rest
  } = org;
  if (!databricks) return rest;
  const { token: _token, ...link } = databricks;
  return { ...rest, databricks: link };
}

/** `ingestion.organizations` read and checked: settings and config-only parts per id. */
export interface ConfiguredOrganizations {
  definitions: OrganizationDefinition[];
  secrets: ReadonlyMap<string, OrganizationSecrets>;
}

/** Reads and checks `ingestion.organizations`; a broken entry stops the backend with its path. */
export function readConfiguredOrganizations(
  config: Config,
): ConfiguredOrganizations {
  const entries =
    config.getOptionalConfigArray('ingestion.organizations') ?? [];
  const definitions = entries.map((entry, index) =>
    definitionOf(entry, `ingestion.organizations[${index}]`),
  );
  const seen = new Set<string>();
  for (const org of definitions) {
    if (seen.has(org.id)) {
      throw new InputError(`ingestion.organizations has '${org.id}' twice`);
    }
    seen.add(org.id);
  }
  return {
    definitions,
    secrets: new Map(
      entries.map((entry, index) => [definitions[index].id, secretsOf(entry)]),
    ),
  };
}

/** The organizations of `ingestion.organizations`, as a config-only deployment uses them. */
export function readOrganizationsConfig(config: Config): OrganizationConfig[] {
  const { definitions, secrets } = readConfiguredOrganizations(config);
  return definitions.map(org => withSecrets(org, secrets.get(org.id)));
}
