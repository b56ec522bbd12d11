import type { RootConfigService } from '@backstage/backend-plugin-api';

/** The plugin's own config keys that its wiring reads (see config.d.ts). */

/** `ingestion.pricing`: the currency of costs and the price of a DBU for estimates. */
export function readPricingSettings(config: RootConfigService): {
  currency: string;
  dbu: number;
} {
  return {
    currency: config.getOptionalString('ingestion.pricing.currency') ?? 'USD',
    dbu: config.getOptionalNumber('ingestion.pricing.dbu') ?? 0.55,
  };
}

/** Sample data on first start: `ingestion.demoData.enabled`, and only in development. */
export function demoDataEnabled(config: RootConfigService): boolean {
  return Boolean(
    config.getOptionalBoolean('ingestion.demoData.enabled') &&
      process.env.NODE_ENV === 'development',
  );
}
