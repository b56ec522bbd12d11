import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';

/** The product brief's batch example (MySQL → Iceberg), as a spec the API accepts. */
export const batchSpec = briefBatchExample;
