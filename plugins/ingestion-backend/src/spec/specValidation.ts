import {
  validatePipelineSpec,
  type OrganizationResources,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { hashPipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-node';
import { SpecProblemsError } from './SpecProblemsError';

/** A spec that passed validation, with what the store indexes. */
export interface ValidSpec {
  spec: PipelineSpec;
  specHash: string;
  pipelineType: 'batch' | 'streaming';
  schedule?: { cron: string; timezone: string };
}

/**
 * Validates a spec given as an object or as YAML/JSON text; throws a 400 listing every problem.
 * With the organization (every write and every run passes it), the catalogs and storage
 * locations the spec names must be the organization's own.
 */
export function requireValidSpec(
  input: unknown,
  organization?: OrganizationResources,
): ValidSpec {
  const result = validatePipelineSpec(input, { organization });
  if (!result.valid) {
    throw new SpecProblemsError(result.problems);
  }
  const spec = result.spec;
  return {
    spec,
    specHash: hashPipelineSpec(spec),
    pipelineType: spec.pipeline_type,
    schedule: spec.schedule,
  };
}
