import type { z as zod } from 'zod/v3';

/**
 * Output schemas shared by the actions. They name the fields an agent relies on and pass the rest
 * through unchanged, so an action returns what the HTTP API returns for the same call.
 */
export const pipelineSchema = (z: typeof zod) =>
  z
    .object({
      id: z.string().describe('The pipeline id (a UUID)'),
      organization: z.string().describe('The owning organization'),
      name: z.string(),
      owner: z.string().describe('Entity ref of the owning user or group'),
      pipelineType: z.enum(['batch', 'streaming']),
      engine: z.string(),
      currentVersion: z.number().int(),
      schedule: z.string().optional(),
      updatedAt: z.string(),
    })
    .passthrough();

export const runSchema = (z: typeof zod) =>
  z
    .object({
      id: z.string(),
      organization: z.string(),
      pipelineId: z.string(),
      pipelineVersion: z.number().int(),
      status: z.enum([
        'queued',
        'submitted',
        'running',
        'succeeded',
        'failed',
        'quality_failed',
        'cancelled',
      ]),
      queuedAt: z.string(),
      finishedAt: z.string().optional(),
      rowsWritten: z.number().optional(),
      cost: z.number().optional().describe('Cost of the run, in USD'),
      errorMessage: z.string().optional(),
    })
    .passthrough();

export const fieldProblemSchema = (z: typeof zod) =>
  z.object({
    path: z.string().describe('Where in the spec, e.g. `target.table`'),
    message: z.string(),
  });

/**
 * The same value typed as a plain object type (which, unlike an interface, fits the passthrough
 * schemas' index signature).
 */
export const plain = <T extends object>(value: T): { [K in keyof T]: T[K] } =>
  value;
