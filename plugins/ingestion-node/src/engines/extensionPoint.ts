import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { IngestionEngine } from './types';

/**
 * Lets backend modules add execution engines to the ingestion backend.
 *
 * @public
 */
export interface IngestionEnginesExtensionPoint {
  addEngine(engine: IngestionEngine): void;
}

/** @public */
export const ingestionEnginesExtensionPoint =
  createExtensionPoint<IngestionEnginesExtensionPoint>({
    id: 'ingestion.engines',
  });
