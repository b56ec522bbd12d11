import {
  coreServices,
  createServiceFactory,
  type SchedulerService,
} from '@backstage/backend-plugin-api';

type ScheduledTask = Parameters<SchedulerService['scheduleTask']>[0];

/**
 * A scheduler that never runs tasks on its own: tests run a task with `run(id)` whenever they
 * want a tick, so nothing happens behind their back.
 */
export class ManualScheduler {
  readonly #tasks = new Map<string, ScheduledTask>();

  factory() {
    const tasks = this.#tasks;
    return createServiceFactory({
      service: coreServices.scheduler,
      deps: {},
      factory(): SchedulerService {
        return {
          async scheduleTask(task) {
            tasks.set(task.id, task);
          },
          createScheduledTaskRunner: schedule => ({
            async run(task) {
              tasks.set(task.id, { ...schedule, ...task });
            },
          }),
          async triggerTask(id) {
            await tasks.get(id)?.fn(new AbortController().signal);
          },
          async getScheduledTasks() {
            return [...tasks.values()].map(task => ({
              id: task.id,
              scope: task.scope ?? 'global',
              settings: { version: 1 },
            }));
          },
          async cancelTask() {},
        } as SchedulerService;
      },
    });
  }

  /** Runs a scheduled task once and waits for it. */
  async run(id: string): Promise<void> {
    const task = this.#tasks.get(id);
    if (!task) {
      throw new Error(
        `No task '${id}' (scheduled: ${[...this.#tasks.keys()].join(', ')})`,
      );
    }
    await task.fn(new AbortController().signal);
  }
}
