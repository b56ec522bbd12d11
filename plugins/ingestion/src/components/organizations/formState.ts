import type {
  OrganizationInput,
  OrganizationRecord,
} from '../../api/OrganizationsApi';

export const ROLES = ['admin', 'engineer', 'analyst', 'viewer'] as const;

/** The quota fields of the form: where each goes in `quotas`, its label and unit. */
export const QUOTA_FIELDS = [
  ['databricks', 'maxDbuPerHour', 'DBU per hour', 'DBU/h'],
  ['databricks', 'maxClusters', 'Clusters', 'clusters'],
  ['databricks', 'maxConcurrentJobs', 'Concurrent jobs', 'jobs'],
  ['storage', 'maxStorageGb', 'Storage', 'GB'],
  ['storage', 'retentionDays', 'Retention', 'days'],
  ['api', 'requestsPerMinute', 'API requests', 'per min'],
  ['api', 'requestsPerDay', 'API requests', 'per day'],
] as const;

/** What the form edits: text fields, converted to the API's body on submit. */
export interface FormState {
  id: string;
  name: string;
  description: string;
  costCenter: string;
  environment: OrganizationInput['environment'];
  ownerGroup: string;
  project: string;
  /** Group refs per role, one per line or separated by commas. */
  roles: Record<(typeof ROLES)[number], string>;
  engine: 'local' | 'databricks';
  databricksHost: string;
  databricksWorkspaceId: string;
  storage: string;
  icebergCatalog: string;
  /** `section.key` → a number as typed; empty keeps the default. */
  quotas: Record<string, string>;
  /** USD per month; empty for no budget. */
  budgetMonthly: string;
  /** One destination per line: `host-or-cidr port[,port…]` (e.g. `db.internal 5432`). */
  egress: string;
}

export const emptyForm: FormState = {
  id: '',
  name: '',
  description: '',
  costCenter: '',
  environment: 'development',
  ownerGroup: '',
  project: '',
  roles: { admin: '', engineer: '', analyst: '', viewer: '' },
  engine: 'local',
  databricksHost: '',
  databricksWorkspaceId: '',
  storage: '',
  icebergCatalog: '',
  quotas: {},
  budgetMonthly: '',
  egress: '',
};

const list = (text: string) =>
  text
    .split(/[\n,]/)
    .map(item => item.trim())
    .filter(Boolean);

/** The form of an existing organization (editing). */
export function formOf(org: OrganizationRecord): FormState {
  return {
    id: org.id,
    name: org.name,
    description: org.description ?? '',
    costCenter: org.costCenter,
    environment: org.environment,
    ownerGroup: org.ownerGroup,
    project: org.project ?? '',
    roles: Object.fromEntries(
      ROLES.map(role => [role, (org.roles[role] ?? []).join('\n')]),
    ) as FormState['roles'],
    engine: org.engine,
    databricksHost: org.databricks?.host ?? '',
    databricksWorkspaceId: org.databricks?.workspaceId ?? '',
    storage: org.storage,
    icebergCatalog: org.icebergCatalog,
    quotas: Object.fromEntries(
      QUOTA_FIELDS.map(([section, key]) => [
        `${section}.${key}`,
        String(
          (org.quotas[section] as unknown as Record<string, number>)[key] ?? '',
        ),
      ]),
    ),
    budgetMonthly: org.budget ? String(org.budget.monthly) : '',
    egress: (org.egress?.allow ?? [])
      .map(rule => `${rule.host ?? rule.cidr ?? ''} ${rule.ports.join(',')}`)
      .join('\n'),
  };
}

function egressRule(line: string) {
  const [where = '', ports = ''] = line.trim().split(/\s+/);
  const target = /\/\d+$/.test(where) ? { cidr: where } : { host: where };
  return {
    ...target,
    ports: ports
      .split(',')
      .filter(Boolean)
      .map(port => (/^\d+$/.test(port) ? Number(port) : port)),
  };
}

/**
 * The API's body from the form. Values are passed on as typed (numbers as numbers where they
 * parse): the backend checks them and names each field it refuses.
 */
export function inputOf(form: FormState): OrganizationInput {
  const quotas: Record<string, Record<string, number>> = {};
  for (const [section, key] of QUOTA_FIELDS) {
    const text = form.quotas[`${section}.${key}`]?.trim();
    if (!text) continue;
    quotas[section] = { ...quotas[section], [key]: Number(text) };
  }
  const egress = form.egress.split('\n').filter(line => line.trim());
  return {
    id: form.id.trim(),
    name: form.name.trim(),
    ...(form.description.trim() && { description: form.description.trim() }),
    costCenter: form.costCenter.trim(),
    environment: form.environment,
    ownerGroup: form.ownerGroup.trim(),
    ...(form.project.trim() && { project: form.project.trim() }),
    roles: Object.fromEntries(
      ROLES.map(role => [role, list(form.roles[role])]),
    ),
    ...(Object.keys(quotas).length > 0 && { quotas }),
    engine: form.engine,
    ...(form.engine === 'databricks' && {
      databricks: {
        host: form.databricksHost.trim(),
        ...(form.databricksWorkspaceId.trim() && {
          workspaceId: form.databricksWorkspaceId.trim(),
        }),
      },
    }),
    storage: form.storage.trim(),
    ...(form.icebergCatalog.trim() && {
      iceberg: { catalog: form.icebergCatalog.trim() },
    }),
    ...(form.budgetMonthly.trim() && {
      budget: { monthly: Number(form.budgetMonthly.trim()) },
    }),
    ...(egress.length > 0 && { egress: { allow: egress.map(egressRule) } }),
  };
}

/**
 * The `PUT` body for an edited organization: the form's fields over the settings the form does
 * not show (more storage locations, the workspace's cluster policy and billing warehouse, budget
 * thresholds, compute quotas), which a replace must not lose.
 */
export function updateOf(
  org: OrganizationRecord,
  form: FormState,
): Omit<OrganizationInput, 'id'> {
  const { id: _id, ...typed } = inputOf(form);
  const kept = {
    ...(org.storageLocations && { storageLocations: org.storageLocations }),
  };
  const quotas = Object.fromEntries(
    Object.entries(org.quotas).map(([section, values]) => [
      section,
      {
        ...values,
        ...(typed.quotas as Record<string, object> | undefined)?.[section],
      },
    ]),
  ) as OrganizationInput['quotas'];
  return {
    ...kept,
    ...typed,
    quotas,
    ...(typed.databricks && {
      databricks: { ...org.databricks, ...typed.databricks },
    }),
    ...(typed.budget && {
      budget: {
        ...typed.budget,
        ...(org.budget && { alertThresholds: org.budget.alertThresholds }),
      },
    }),
  };
}

/** The form field a problem's path (`roles.admin[0]`, `quotas.api.requestsPerDay`) is about. */
export function fieldOfProblem(path: string): string | undefined {
  const [head, second] = path.split(/[.[]/);
  switch (head) {
    case 'roles':
      return `role.${second}`;
    case 'quotas':
      return `quota.${path.split('.').slice(1, 3).join('.')}`;
    case 'databricks':
      return second === 'workspaceId'
        ? 'databricksWorkspaceId'
        : 'databricksHost';
    case 'iceberg':
      return 'icebergCatalog';
    case 'budget':
      return 'budgetMonthly';
    case 'egress':
      return 'egress';
    default:
      return head in emptyForm ? head : undefined;
  }
}

/**
 * The backend's message (`id: must be …; roles.admin[0]: …`) as one message per field of the
 * form; problems no field shows stay in the summary above the form.
 */
export function problemsByField(message: string): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const problem of message.split('; ')) {
    const match = /^([\w.[\]]+): (.+)$/s.exec(problem);
    const field = match && fieldOfProblem(match[1]);
    if (field) {
      byField[field] = byField[field]
        ? `${byField[field]}; ${match[2]}`
        : match[2];
    }
  }
  return byField;
}
