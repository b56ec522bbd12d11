import type {
  OrganizationSummary,
  OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** The roles that may create pipelines, which the templates need. */
export const DEFAULT_PICKER_ROLES: readonly OrgRole[] = ['engineer', 'admin'];

/** An organization the user may pick, with what is left of its quotas right now. */
export interface OrganizationChoice {
  id: string;
  name: string;
  engine: string;
  roles: OrgRole[];
  remaining: {
    dbuPerHour: number;
    concurrentRuns: number;
    storageGb: number;
  };
  quotas: {
    dbuPerHour: number;
    concurrentRuns: number;
    storageGb: number;
  };
  /** True when a quota is used up: new pipelines would wait (DBU, runs) or be refused (storage). */
  exhausted: boolean;
}

function left(quota: number, used: number): number {
  return Math.max(0, Math.round((quota - used) * 100) / 100);
}

/** The organizations where the user holds one of `roles`, with their remaining quota, by name. */
export function organizationChoices(
  organizations: OrganizationSummary[],
  roles: readonly OrgRole[] = DEFAULT_PICKER_ROLES,
): OrganizationChoice[] {
  return organizations
    .filter(org => org.roles.some(role => roles.includes(role)))
    .map(org => {
      const quotas = {
        dbuPerHour: org.quotas.databricks.maxDbuPerHour,
        concurrentRuns: org.quotas.databricks.maxConcurrentJobs,
        storageGb: org.quotas.storage.maxStorageGb,
      };
      const remaining = {
        dbuPerHour: left(quotas.dbuPerHour, org.usage.dbuLastHour),
        concurrentRuns: left(quotas.concurrentRuns, org.usage.concurrentRuns),
        storageGb: left(quotas.storageGb, org.usage.storageGb),
      };
      return {
        id: org.id,
        name: org.name,
        engine: org.engine,
        roles: org.roles,
        remaining,
        quotas,
        exhausted: Object.values(remaining).some(value => value <= 0),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One line on what is left: "88 of 100 DBU/h · 18 of 20 concurrent runs · 9,880 of 10,000 GB". */
export function describeRemaining(choice: OrganizationChoice): string {
  const number = (value: number) => value.toLocaleString('en-US');
  return [
    `${number(choice.remaining.dbuPerHour)} of ${number(
      choice.quotas.dbuPerHour,
    )} DBU/h`,
    `${number(choice.remaining.concurrentRuns)} of ${number(
      choice.quotas.concurrentRuns,
    )} concurrent runs`,
    `${number(choice.remaining.storageGb)} of ${number(
      choice.quotas.storageGb,
    )} GB storage`,
  ].join(' · ');
}
