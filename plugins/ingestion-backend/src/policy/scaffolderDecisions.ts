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
 * The scaffolder half of the policy.
 *
 * A task's parameters, logs and output belong to the user who started it: reading a task (its
 * page, event stream, logs, the task list) and cancelling it are conditional on the scaffolder's
 * own `IS_TASK_OWNER` rule, which the scaffolder also turns into SQL for its task list. Platform
 * admins see and cancel every task.
 *
 * Organization admins get no wider view. Tasks carry no organization of their own: the
 * `organization` parameter of a task is whatever its creator typed, and the scaffolder filters
 * task lists only by its own columns (`created_by`, `status`), so an organization-wide rule could
 * neither be trusted nor applied to lists.
 *
 * Everything else the scaffolder asks (creating tasks, reading templates' parameters and steps,
 * executing actions) is allowed: the ingestion actions act on behalf of the user, and the ingestion
 * backend checks the user's organization roles for every call they make.
 */
export function scaffolderDecision(
  permission: Permission,
  user: PolicyUser,
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
      params: { createdBy: [user.userEntityRef] },
    },
  };
}
