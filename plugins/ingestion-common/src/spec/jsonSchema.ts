import { z } from 'zod';
import { pipelineSpecSchema } from './pipelineSpec';

/**
 * The pipeline spec as JSON Schema (draft 2020-12, also valid in OpenAPI 3.1), generated
 * from the zod schema so the two never drift. It describes the spec as written (before
 * defaults). Rules that need code (expressions, cron, paths, cross-section rules) are not
 * expressible in JSON Schema: forms should still call the validation API.
 * @public
 */
export function pipelineSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pipelineSpecSchema, {
    io: 'input',
    target: 'draft-2020-12',
    // Refinements and normalising transforms have no JSON Schema form; their input side does.
    unrepresentable: 'any',
  }) as Record<string, unknown>;
}
