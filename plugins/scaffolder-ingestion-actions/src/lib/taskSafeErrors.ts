import type { LoggerService } from '@backstage/backend-plugin-api';
import { isError, toError } from '@backstage/errors';
import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { randomUUID } from 'node:crypto';

/**
 * Errors whose messages the actions write for the user (the `@backstage/errors` classes and the
 * client's QuotaExceededError). Anything else is unexpected and may carry internals (file system
 * paths of fs errors, driver messages).
 */
const USER_FACING_ERRORS: ReadonlySet<string> = new Set([
  'InputError',
  'AuthenticationError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
  'NotModifiedError',
  'NotImplementedError',
  'ServiceUnavailableError',
  'QuotaExceededError',
  'AbortError',
]);

/**
 * The error a failed action hands to the scaffolder. The scaffolder writes a failed step's
 * `error.stack` into the task log, which the task's user reads; a stack names the server's files
 * and `node_modules`. So the stack becomes the error's first line alone, and an unexpected error
 * is replaced by a message that points to the server log, where the original goes with a ref.
 */
export function toTaskSafeError(
  error: unknown,
  actionId: string,
  logger: LoggerService,
): Error {
  if (isError(error) && USER_FACING_ERRORS.has(error.name)) {
    error.stack = `${error.name}: ${error.message}`;
    return error;
  }
  const ref = randomUUID();
  logger.error(`Action ${actionId} failed (ref ${ref})`, toError(error));
  const safe = new Error(
    `${actionId} failed unexpectedly; the portal's log has the details under ref ${ref}`,
  );
  safe.stack = `Error: ${safe.message}`;
  return safe;
}

/** The action, with its errors made safe for the task log by {@link toTaskSafeError}. */
export function withTaskSafeErrors<
  TAction extends TemplateAction<any, any, any>,
>(action: TAction, logger: LoggerService): TAction {
  return {
    ...action,
    async handler(ctx) {
      try {
        await action.handler(ctx);
      } catch (error) {
        throw toTaskSafeError(error, action.id, logger);
      }
    },
  };
}

/** A logger that drops everything: for library helpers whose progress lines name server paths. */
export const silentLogger: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return silentLogger;
  },
};
