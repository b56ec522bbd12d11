import type { RootConfigService } from '@backstage/backend-plugin-api';

/**
 * Prices that turn usage into cost records. Defaults (documented in `config.d.ts`): the local
 * engine is priced like a small general-purpose cloud VM (about 0.04 per vCPU-hour and 0.0045
 * per GB-hour of memory), storage like object storage, API requests at a nominal platform rate.
 */
export interface CostPricing {
  currency: string;
  /** Per Databricks DBU. */
  dbu: number;
  /** Per GB-month of storage. */
  storageGbMonth: number;
  localEngine: {
    /** Per CPU-second the local engine's process used during a run. */
    cpuSecond: number;
    /** Per GB-hour of the run's peak memory over its duration. */
    gbHour: number;
  };
  platform: {
    /** Per 1000 API requests of an organization. */
    perThousandRequests: number;
  };
}

export const DEFAULT_PRICING: CostPricing = {
  currency: 'USD',
  dbu: 0.55,
  storageGbMonth: 0.023,
  localEngine: { cpuSecond: 0.04 / 3600, gbHour: 0.0045 },
  platform: { perThousandRequests: 0.02 },
};

/** `ingestion.pricing` and `ingestion.costs`, with the defaults. */
export function readCostPricing(config: RootConfigService): CostPricing {
  const n = (key: string, fallback: number) => {
    const value = config.getOptionalNumber(key);
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new Error(`${key} must be a number of at least 0`);
    }
    return value ?? fallback;
  };
  const d = DEFAULT_PRICING;
  return {
    currency:
      config.getOptionalString('ingestion.pricing.currency') ?? d.currency,
    dbu: n('ingestion.pricing.dbu', d.dbu),
    storageGbMonth: n('ingestion.pricing.storageGbMonth', d.storageGbMonth),
    localEngine: {
      cpuSecond: n(
        'ingestion.costs.localEngine.cpuSecond',
        d.localEngine.cpuSecond,
      ),
      gbHour: n('ingestion.costs.localEngine.gbHour', d.localEngine.gbHour),
    },
    platform: {
      perThousandRequests: n(
        'ingestion.costs.platform.perThousandRequests',
        d.platform.perThousandRequests,
      ),
    },
  };
}
