import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  buildSpecInput,
  pipelineCreatePermission,
  type CostEstimateRequest,
  type CostEstimateResult,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  estimatePipelineCost,
  toCodegenOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { CostsStore } from '../database/CostsStore';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { engineOrganization } from '../runs/RunDriver';
import { requireValidSpec } from '../spec/specValidation';
import type { QuotasService } from './QuotasService';

interface CostEstimateServiceOptions {
  authorizer: IngestionAuthorizer;
  directory: OrganizationDirectory;
  costs: CostsStore;
  quotas: QuotasService;
  pricing: { dbu: number; currency: string };
  clock?: () => Date;
}

/**
 * Estimates a pipeline's cost before it exists, for the templates' review step and the
 * `ingestion:pipeline:create` action: the organization's cluster for the workload, the configured
 * DBU price, this month's spend against the budget and the quotas' headroom.
 */
export class CostEstimateService {
  static create(options: CostEstimateServiceOptions) {
    return new CostEstimateService(options);
  }

  private constructor(private readonly options: CostEstimateServiceOptions) {}

  /**
   * @throws NotFoundError for organizations the caller is not a member of, NotAllowedError when
   *   the caller may not create pipelines there, SpecProblemsError (400) for an invalid spec.
   */
  async estimate(
    credentials: BackstageCredentials,
    request: CostEstimateRequest,
  ): Promise<CostEstimateResult> {
    // Whoever may create the pipeline may see what it would cost, so the permission is creation's.
    await this.options.authorizer.authorizeOrganization(
      credentials,
      pipelineCreatePermission,
      request.organization,
    );
    const organization = this.options.directory.get(request.organization);
    let input = request.spec;
    let appliedDefaults: string[] = [];
    if (input && typeof input === 'object' && !Array.isArray(input)) {
      ({ spec: input, applied: appliedDefaults } = buildSpecInput(
        input as Record<string, unknown>,
        { icebergCatalog: organization.icebergCatalog },
      ));
    }
    const { spec } = requireValidSpec(input, organization);
    const period = (this.options.clock?.() ?? new Date())
      .toISOString()
      .slice(0, 7);
    const [usage, spentThisMonth] = await Promise.all([
      this.options.quotas.usage(organization.id),
      organization.budget
        ? this.options.costs.totalForPeriod(organization.id, period)
        : Promise.resolve(0),
    ]);
    try {
      return estimatePipelineCost({
        organization: toCodegenOrganization(engineOrganization(organization)),
        spec,
        workloadType: request.workloadType,
        expectedVolumeGb: request.expectedVolumeGb,
        pricing: this.options.pricing,
        quotas: organization.quotas,
        usage,
        budget: organization.budget && {
          monthly: organization.budget.monthly,
          spentThisMonth,
        },
        appliedDefaults,
      });
    } catch (error) {
      // Only the organization's cluster settings can make the estimate itself fail.
      throw new InputError(`workloadType: ${(error as Error).message}`);
    }
  }
}
