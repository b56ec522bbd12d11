import { InputError } from '@backstage/errors';
import {
  ORG_ROLES,
  type OrganizationQuotas,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { z } from 'zod';
import { parseAllowRule } from '../egress/allowList';

/**
 * The one definition of an organization's settings: what `ingestion.organizations[]` configures
 * and what `POST /v1/organizations` and `PUT /v1/organizations/:id` take. Config and the API both
 * parse through {@link parseOrganizationDefinition}, so their rules and defaults cannot drift.
 *
 * Secrets are not part of it: a Databricks token (`databricks.token`) and Iceberg REST catalogs
 * (`iceberg.restCatalogs`) stay in config, merged by organization id (see `organizationConfig.ts`).
 */

export const ORG_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;
export const ENVIRONMENTS = ['production', 'staging', 'development'] as const;
export const ENGINES = ['local', 'databricks'] as const;

/**
 * Quotas for organizations that do not configure some of them. The brief gives finance and
 * retail their numbers; anything it leaves open gets these conservative values.
 */
export const DEFAULT_QUOTAS: OrganizationQuotas = {
  databricks: { maxDbuPerHour: 50, maxClusters: 5, maxConcurrentJobs: 10 },
  storage: { maxStorageGb: 1000, retentionDays: 365 },
  compute: { maxEcsTasks: 20, maxCpuUnits: 2000 },
  api: { requestsPerMinute: 600, requestsPerDay: 50000 },
};

const DEFAULT_ALERT_THRESHOLDS = [0.5, 0.8, 1];

const limit = z.number().int().nonnegative();
const partialQuotas = z
  .object({
    databricks: z
      .object({
        maxDbuPerHour: limit,
        maxClusters: limit,
        maxConcurrentJobs: limit,
      })
      .partial()
      .strict(),
    storage: z
      .object({ maxStorageGb: limit, retentionDays: limit })
      .partial()
      .strict(),
    compute: z
      .object({ maxEcsTasks: limit, maxCpuUnits: limit })
      .partial()
      .strict(),
    api: z
      .object({ requestsPerMinute: limit, requestsPerDay: limit })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

const groupRef = z
  .string()
  .regex(
    /^(group:)?([a-z0-9._-]+\/)?[a-z0-9._-]+$/i,
    'must be a group entity ref such as group:default/finance-admins',
  );

const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;

/** An organization's settings as config and the API give them (before defaults). */
export const organizationDefinitionSchema = z
  .object({
    id: z
      .string()
      .regex(
        ORG_ID_PATTERN,
        'must be 2-40 lower-case letters, digits and dashes, starting with a letter',
      ),
    name: z.string().trim().min(1).max(128),
    description: z.string().max(2000).optional(),
    costCenter: z.string().trim().min(1).max(32),
    environment: z.enum(ENVIRONMENTS),
    ownerGroup: groupRef,
    project: z.string().max(128).optional(),
    roles: z
      .object(
        Object.fromEntries(
          ORG_ROLES.map(role => [role, z.array(groupRef).optional()]),
        ) as Record<OrgRole, z.ZodOptional<z.ZodArray<typeof groupRef>>>,
      )
      .strict(),
    quotas: partialQuotas.optional(),
    engine: z.enum(ENGINES).optional(),
    storage: z.string().trim().min(1).max(1024),
    storageLocations: z
      .array(
        z
          .string()
          .regex(S3_URI, 'must be an s3://bucket or s3://bucket/prefix URI'),
      )
      .optional(),
    iceberg: z
      .object({ catalog: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/) })
      .partial()
      .strict()
      .optional(),
    databricks: z
      .object({
        host: z
          .string()
          .regex(
            /^https?:\/\/\S+$/,
            'must be the workspace URL, https://<host>',
          ),
        clusterPolicyId: z.string().optional(),
        notificationEmails: z.array(z.string().email()).optional(),
        billingWarehouseId: z.string().optional(),
        workspaceId: z.string().optional(),
      })
      .strict()
      .optional(),
    budget: z
      .object({
        monthly: z.number().nonnegative(),
        alertThresholds: z.array(z.number().positive().max(10)).optional(),
      })
      .strict()
      .optional(),
    egress: z
      .object({
        allow: z.array(
          z
            .object({
              host: z.string().optional(),
              cidr: z.string().optional(),
              ports: z.array(z.union([z.number(), z.string()])),
            })
            .strict(),
        ),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((org, ctx) => {
    for (const [index, entry] of (org.egress?.allow ?? []).entries()) {
      try {
        parseAllowRule(entry, `egress.allow[${index}]`);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['egress', 'allow', index],
          message: (error as Error).message.replace(
            `egress.allow[${index}]`,
            'this entry',
          ),
        });
      }
    }
  });

/** An organization's settings as given (config entry or API body). */
export type OrganizationDefinitionInput = z.input<
  typeof organizationDefinitionSchema
>;

/**
 * An organization's settings with defaults applied: what the store holds and the API returns.
 * Its fields are those of {@link OrganizationConfig} without the config-only secrets.
 */
export interface OrganizationDefinition {
  id: string;
  name: string;
  description?: string;
  costCenter: string;
  environment: (typeof ENVIRONMENTS)[number];
  ownerGroup: string;
  project?: string;
  roles: Record<OrgRole, string[]>;
  quotas: OrganizationQuotas;
  engine: (typeof ENGINES)[number];
  storage: string;
  storageLocations?: string[];
  icebergCatalog: string;
  databricks?: {
    host: string;
    clusterPolicyId?: string;
    notificationEmails: string[];
    billingWarehouseId?: string;
    workspaceId?: string;
  };
  budget?: { monthly: number; alertThresholds: number[] };
  /** Private destinations its connections may reach (`egress.allow` entries as given). */
  egress?: {
    allow: Array<{
      host?: string;
      cidr?: string;
      ports: Array<number | string>;
    }>;
  };
}

/** A full group entity ref in lower case: `finance` → `group:default/finance`. */
export function normalizeGroupRef(ref: string): string {
  const lower = ref.toLocaleLowerCase('en-US');
  const withKind = lower.startsWith('group:') ? lower : `group:${lower}`;
  return withKind.includes('/')
    ? withKind
    : withKind.replace(/^group:/, 'group:default/');
}

function withDefaultQuotas(
  quotas: z.infer<typeof partialQuotas> | undefined,
): OrganizationQuotas {
  const d = DEFAULT_QUOTAS;
  return {
    databricks: { ...d.databricks, ...quotas?.databricks },
    storage: { ...d.storage, ...quotas?.storage },
    compute: { ...d.compute, ...quotas?.compute },
    api: { ...d.api, ...quotas?.api },
  };
}

function problemsOf(error: z.ZodError, where: string): string {
  return error.issues
    .flatMap(issue => {
      const at = (path: Array<PropertyKey>) =>
        path
          .map(part =>
            typeof part === 'number' ? `[${part}]` : `.${String(part)}`,
          )
          .join('')
          .replace(/^\./, '');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map(
          key =>
            `${[where, at([...issue.path, key])]
              .filter(Boolean)
              .join('.')}: unknown field`,
        );
      }
      const path = [where, at(issue.path)].filter(Boolean).join('.');
      return [`${path || 'body'}: ${issue.message}`];
    })
    .join('; ');
}

/**
 * Checks an organization's settings and applies defaults, or throws one InputError naming each
 * field with its problem (`ingestion.organizations[2].environment: ...` for config, `roles.admin[0]:
 * ...` for the API).
 */
export function parseOrganizationDefinition(
  input: unknown,
  where = '',
): OrganizationDefinition {
  const parsed = organizationDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    throw new InputError(problemsOf(parsed.error, where));
  }
  const org = parsed.data;
  return {
    id: org.id,
    name: org.name,
    ...(org.description !== undefined && { description: org.description }),
    costCenter: org.costCenter,
    environment: org.environment,
    ownerGroup: normalizeGroupRef(org.ownerGroup),
    ...(org.project !== undefined && { project: org.project }),
    roles: Object.fromEntries(
      ORG_ROLES.map(role => [
        role,
        [...new Set((org.roles[role] ?? []).map(normalizeGroupRef))],
      ]),
    ) as Record<OrgRole, string[]>,
    quotas: withDefaultQuotas(org.quotas),
    engine: org.engine ?? 'local',
    storage: org.storage,
    ...(org.storageLocations && { storageLocations: org.storageLocations }),
    icebergCatalog:
      org.iceberg?.catalog ?? `${org.id.replace(/-/g, '_')}_catalog`,
    ...(org.databricks && {
      databricks: {
        ...org.databricks,
        notificationEmails: org.databricks.notificationEmails ?? [],
      },
    }),
    ...(org.budget && {
      budget: {
        monthly: org.budget.monthly,
        alertThresholds: org.budget.alertThresholds ?? DEFAULT_ALERT_THRESHOLDS,
      },
    }),
    ...(org.egress && { egress: org.egress }),
  };
}

/** The API/config input that parses back to this definition (for the store and the edit form). */
export function definitionInputOf(
  org: OrganizationDefinition,
): OrganizationDefinitionInput {
  const { icebergCatalog, ...rest } = org;
  return { ...rest, iceberg: { catalog: icebergCatalog } };
}
