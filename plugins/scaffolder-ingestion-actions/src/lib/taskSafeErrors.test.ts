import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { toTaskSafeError, withTaskSafeErrors } from './taskSafeErrors';

describe('task-safe errors', () => {
  it('keeps the message of an error written for the user, without its stack', () => {
    const logger = mockServices.logger.mock();
    const error = toTaskSafeError(
      new InputError('spec.target.table: must not be empty'),
      'ingestion:pipeline:create',
      logger,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('spec.target.table: must not be empty');
    expect(error.stack).toBe(
      'InputError: spec.target.table: must not be empty',
    );
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('replaces an unexpected error, whose message may name server paths, and logs it on the server', () => {
    const logger = mockServices.logger.mock();
    const cause = Object.assign(
      new Error(
        "ENOENT: no such file or directory, open '/srv/ingestion/finance/repositories/x.git/HEAD'",
      ),
      { code: 'ENOENT' },
    );
    const error = toTaskSafeError(cause, 'ingestion:repo:publish', logger);
    expect(error.message).toMatch(
      /^ingestion:repo:publish failed unexpectedly; the portal's log has the details under ref [0-9a-f-]{36}$/,
    );
    expect(error.stack).toBe(`Error: ${error.message}`);
    expect(JSON.stringify(error)).not.toContain('/srv/');
    const ref = error.message.split(' ').pop();
    expect(logger.error).toHaveBeenCalledWith(
      `Action ingestion:repo:publish failed (ref ${ref})`,
      cause,
    );
  });

  it('wraps an action so that what it throws reaches the scaffolder task-safe', async () => {
    const logger = mockServices.logger.mock();
    const action = withTaskSafeErrors(
      createTemplateAction({
        id: 'test:fail',
        schema: { input: {} },
        async handler() {
          throw new TypeError(
            "Cannot read properties of undefined (reading 'x')",
          );
        },
      }),
      logger,
    );
    const failure = await action
      .handler(createMockActionContext({ input: {} }))
      .catch(e => e);
    expect(failure.message).toMatch(/^test:fail failed unexpectedly/);
    expect(failure.stack).not.toMatch(/\n\s+at /);
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});
