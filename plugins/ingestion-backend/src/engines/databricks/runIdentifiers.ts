import {
  deriveIdempotencyToken,
  type EngineRunContext,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { createHash } from 'node:crypto';

/** The Databricks run id of an engine run id, or undefined when it cannot be one. */
export function parseRunId(engineRunId: string): number | undefined {
  if (!/^\d{1,16}$/.test(engineRunId)) {
    return undefined;
  }
  const runId = Number(engineRunId);
  return Number.isSafeInteger(runId) && runId > 0 ? runId : undefined;
}

/** The Jobs API takes idempotency tokens of at most 64 characters. */
export function submitToken(run: EngineRunContext['run']): string {
  const token = run.idempotencyToken;
  if (!token) {
    return deriveIdempotencyToken(`${run.id}#${run.attempt}`);
  }
  return token.length <= 64
    ? token
    : createHash('sha256').update(token).digest('hex');
}
