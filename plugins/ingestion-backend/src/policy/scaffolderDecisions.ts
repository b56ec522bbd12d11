import {
  AuthorizeResult,
  isResourcePermission,
  type Permission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type { PolicyUser } from './PolicyUser';

/** The scaffolder's resource type for tasks (`@backstage/plugin-scaffolder-common/alpha`). */
export const SCAFFOLDER_TASK = 'scaffolder-task';

/** Whether the policy decides this permission as a scaffolder permission. */
export function isScaffolderPermission(permission: Permission): boolean {
  return (
    permission.name.startsWith('scaffolder.') ||
    isResourcePermission(permission, SCAFFOLDER_TASK)
  );
}

/**
 * The organizations where the user is admin, whose members' tasks they read and cancel (none for
 * a platform admin, who sees every task anyway).
 */
export function adminOrganizations(user: PolicyUser): string[] {
  if (user.isPlatformAdmin) return [];
  return [...user.memberships]
    .filter(([, roles]) => roles.includes('admin'))
    .map(([id]) => id);
}

/** The task permissions an organization admin holds over their members' tasks. */
const MEMBER_TASK_PERMISSIONS: ReadonlySet<string> = new Set([
  'scaffolder.task.read',
  'scaffolder.task.cancel',
]);

/**
 * The scaffolder half of the policy.
 *
 * A task's parameters, logs and output belong to the user who started it and to the admins of
 * that user's organization: reading a task (its page, event stream, logs, the task list) and
 * cancelling it are conditional on the scaffolder's own `IS_TASK_OWNER` rule, which the scaffolder
 * also turns into SQL for its task list. Platform admins see and cancel every task.
 *
 * Tasks carry no trusted organization of their own (the `organization` parameter is whatever its
 * creator typed), so an organization admin's view is decided by who started the task:
 * `memberTaskOwners` are the users of the admin's organizations who belong to that organization
 * only (`OrganizationMembers.ts`), and the condition becomes `IS_TASK_OWNER` over the admin and
 * them. A user of several organizations is nobody's member: their tasks, which may concern any of
 * their organizations, stay with them and platform admins. Other task permissions stay owner-only.
 *
 * Everything else the scaffolder asks (creating tasks, reading templates' parameters and steps,
 * executing actions) is allowed: the ingestion actions act on behalf of the user, and the ingestion
 * backend checks the user's organization roles for every call they make.
 */
export function scaffolderDecision(
  permission: Permission,
  user: PolicyUser,
  memberTaskOwners: readonly string[] = [],
): PolicyDecision {
  if (!isResourcePermission(permission, SCAFFOLDER_TASK)) {
    return { result: AuthorizeResult.ALLOW };
  }
  if (user.isPlatformAdmin) {
    return { result: AuthorizeResult.ALLOW };
  }
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'scaffolder',
    resourceType: SCAFFOLDER_TASK,
    conditions: {
      rule: 'IS_TASK_OWNER',
      resourceType: SCAFFOLDER_TASK,
      params: {
        createdBy: MEMBER_TASK_PERMISSIONS.has(permission.name)
          ? [...new Set([user.userEntityRef, ...memberTaskOwners])]
          : [user.userEntityRef],
      },
    },
  };
}
