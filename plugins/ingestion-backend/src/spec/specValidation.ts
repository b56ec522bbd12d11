import {
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { createHash } from 'node:crypto';
import { SpecProblemsError } from './SpecProblemsError';

/** A spec that passed validation, with what the store indexes. */
export interface ValidSpec {
  spec: PipelineSpec;
  specHash: string;
  pipelineType: 'batch' | 'streaming';
  schedule?: { cron: string; timezone: string };
}

/** Stable JSON (sorted keys) so equal specs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        key =>
          `${JSON.stringify(key)}:${canonicalJson(
            (value as Record<string, unknown>)[key],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashSpec(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/** Validates a spec given as an object or as YAML/JSON text; throws a 400 listing every problem. */
export function requireValidSpec(input: unknown): ValidSpec {
  const result = validatePipelineSpec(input);
  if (!result.valid) {
    throw new SpecProblemsError(result.problems);
  }
  const spec = result.spec;
  return {
    spec,
    specHash: hashSpec(spec),
    pipelineType: spec.pipeline_type,
    schedule: spec.schedule,
  };
}
