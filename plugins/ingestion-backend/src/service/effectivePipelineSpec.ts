import type {
  EffectivePipelineSpec,
  PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { hashPipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-node';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { PiiMasking } from '../pii/PiiMasking';
import { requireValidSpec } from '../spec/specValidation';

/**
 * What the pipeline's current version executes in its organization's environment: the spec
 * with the governance policy's masks of the target's known PII columns outside production.
 */
export async function effectivePipelineSpec(
  deps: {
    directory: OrganizationDirectory;
    masking: Pick<PiiMasking, 'effectiveSpec'>;
  },
  pipeline: PipelineDetails,
): Promise<EffectivePipelineSpec> {
  const { environment } = deps.directory.get(pipeline.organization);
  const { spec, masked } = await deps.masking.effectiveSpec({
    organizationId: pipeline.organization,
    environment,
    pipelineId: pipeline.id,
    spec: requireValidSpec(pipeline.spec).spec,
  });
  return {
    pipelineId: pipeline.id,
    version: pipeline.currentVersion,
    environment,
    spec: spec as unknown as EffectivePipelineSpec['spec'],
    specHash: hashPipelineSpec(spec),
    maskedColumns: masked,
  };
}
