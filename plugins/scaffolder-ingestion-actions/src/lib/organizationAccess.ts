import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  rolesGrant,
  type OrganizationSummary,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { CostEstimate } from './costEstimate';
import { QuotaExceededError } from './IngestionApiClient';

/** Roles whose holders may do something, for messages: "engineer or admin". */
function rolesThatGrant(permission: string): string {
  const roles = (
    ['admin', 'engineer', 'analyst', 'viewer'] as OrgRole[]
  ).filter(role => rolesGrant([role], permission));
  return roles.reverse().join(' or ');
}

/**
 * The organization as the user sees it, when one of the user's roles there grants the permission.
 *
 * @throws NotFoundError when the user is not a member of the organization (or it does not exist),
 *   NotAllowedError when the user's roles there do not grant the permission.
 */
export function requireOrganizationPermission(
  organizations: OrganizationSummary[],
  organizationId: string,
  permission: string,
  doing: string,
): OrganizationSummary {
  const organization = organizations.find(o => o.id === organizationId);
  if (!organization) {
    throw new NotFoundError(
      `organization: you are not a member of organization '${organizationId}' (or it does not exist), so you cannot ${doing} there`,
    );
  }
  if (!rolesGrant(organization.roles, permission)) {
    throw new NotAllowedError(
      `You cannot ${doing} in organization '${organizationId}': that needs the ${rolesThatGrant(
        permission,
      )} role, and your role${
        organization.roles.length === 1 ? ' is' : 's are'
      } ${organization.roles.join(', ') || 'none'}`,
    );
  }
  return organization;
}

/** What the quota check found: hard limits throw, soft ones become warnings. */
export interface QuotaCheck {
  warnings: string[];
  dbuPerHour: {
    quota: number;
    usedLastHour: number;
    clusterMin: number;
    clusterMax: number;
  };
  storageGb: { quota: number; used: number; projected: number };
  concurrentRuns: { quota: number; current: number };
}

/**
 * Checks a new pipeline against its organization's quotas and budget.
 *
 * @throws QuotaExceededError when the pipeline cannot run within the quotas: its smallest
 *   cluster needs more DBU per hour than the organization may use, or the organization's storage
 *   is used up.
 */
export function checkQuotas(
  organization: OrganizationSummary,
  estimate: CostEstimate,
  budgetRemaining: number | undefined,
): QuotaCheck {
  const { quotas, usage } = organization;
  const warnings: string[] = [];
  const maxDbu = quotas.databricks.maxDbuPerHour;
  if (estimate.minDbuPerHour > maxDbu) {
    throw new QuotaExceededError(
      `The pipeline's smallest cluster (${estimate.minWorkers} × ${estimate.nodeType} and a driver) uses ${estimate.minDbuPerHour} DBU per hour, more than organization '${organization.id}' may use (maxDbuPerHour ${maxDbu}). Ask an admin of '${organization.id}' to raise the quota or to lower the cluster size.`,
    );
  }
  if (estimate.maxDbuPerHour > maxDbu) {
    warnings.push(
      `At its largest (${estimate.maxWorkers} workers) the cluster would use ${estimate.maxDbuPerHour} DBU per hour, above the quota of ${maxDbu}: runs that need it wait for DBU to free up.`,
    );
  }
  if (usage.dbuLastHour + estimate.dbuPerHour > maxDbu) {
    warnings.push(
      `'${organization.id}' used ${usage.dbuLastHour} of its ${maxDbu} DBU in the last hour: a run now would be queued until enough is free.`,
    );
  }
  const projected =
    Math.round((usage.storageGb + estimate.storageGbPerMonth) * 100) / 100;
  if (usage.storageGb >= quotas.storage.maxStorageGb) {
    throw new QuotaExceededError(
      `Organization '${organization.id}' has used all of its ${quotas.storage.maxStorageGb} GB of storage (${usage.storageGb} GB): no pipeline can write until an admin frees space or raises the quota.`,
    );
  }
  if (projected > quotas.storage.maxStorageGb) {
    // The source volume overstates what is kept (aggregates, overwrites), so this only warns;
    // runs are refused once the quota is actually used up.
    warnings.push(
      `A month of this pipeline's source data (${estimate.storageGbPerMonth} GB) would bring '${organization.id}' to ${projected} GB, above its storage quota of ${quotas.storage.maxStorageGb} GB (${usage.storageGb} GB used).`,
    );
  }
  const concurrent = quotas.databricks.maxConcurrentJobs;
  if (estimate.basis === 'hour' && usage.concurrentRuns + 1 > concurrent) {
    warnings.push(
      `A continuous stream holds one of '${organization.id}''s ${concurrent} concurrent runs, and all are in use now.`,
    );
  }
  if (
    budgetRemaining !== undefined &&
    estimate.costPerMonth > budgetRemaining
  ) {
    warnings.push(
      `The estimated monthly cost (${estimate.costPerMonth} ${estimate.currency}) is more than the ${budgetRemaining} ${estimate.currency} left of '${organization.id}''s budget this month.`,
    );
  }
  return {
    warnings,
    dbuPerHour: {
      quota: maxDbu,
      usedLastHour: usage.dbuLastHour,
      clusterMin: estimate.minDbuPerHour,
      clusterMax: estimate.maxDbuPerHour,
    },
    storageGb: {
      quota: quotas.storage.maxStorageGb,
      used: usage.storageGb,
      projected,
    },
    concurrentRuns: { quota: concurrent, current: usage.concurrentRuns },
  };
}
