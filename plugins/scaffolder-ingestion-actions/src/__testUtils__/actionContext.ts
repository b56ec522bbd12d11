import { mockCredentials } from '@backstage/backend-test-utils';
import type { JsonObject, JsonValue } from '@backstage/types';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';

/** A mock action context, with the checkpoints it stored. */
export type TestActionContext = ActionContext<any, any> & {
  checkpoints: Map<string, JsonValue | undefined>;
};

/**
 * A mock action context for a user, with checkpoints kept in `checkpoints` (pass the same map to a
 * second context to replay a retried task) and the outputs readable with {@link outputsOf}.
 * (The test utils are built against another release of the scaffolder-node types, hence the cast.)
 */
export function actionContext<TInput extends JsonObject>(
  input: TInput,
  options: {
    user?: string;
    dryRun?: boolean;
    workspacePath?: string;
    checkpoints?: Map<string, JsonValue | undefined>;
  } = {},
) {
  const user = options.user ?? 'user:default/finance-engineer';
  const checkpoints =
    options.checkpoints ?? new Map<string, JsonValue | undefined>();
  const base = createMockActionContext<TInput>({
    input,
    ...(options.workspacePath ? { workspacePath: options.workspacePath } : {}),
    user: { ref: user },
    templateInfo: { entityRef: 'template:default/test-template' },
  }) as unknown as ActionContext<TInput, any>;
  const context: TestActionContext = {
    ...base,
    isDryRun: options.dryRun ?? false,
    getInitiatorCredentials: async () => mockCredentials.user(user),
    checkpoints,
    async checkpoint<T extends JsonValue | void>(opts: {
      key: string;
      fn: () => Promise<T> | T;
    }): Promise<T> {
      if (checkpoints.has(opts.key)) {
        return checkpoints.get(opts.key) as T;
      }
      const value = await opts.fn();
      checkpoints.set(
        opts.key,
        value === undefined ? undefined : JSON.parse(JSON.stringify(value)),
      );
      return value;
    },
  };
  return context;
}

/** What the action passed to `ctx.output`, by name. */
export function outputsOf(ctx: { output: unknown }): Record<string, any> {
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}
