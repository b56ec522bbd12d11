import type { CodegenOrganization, CodegenPipeline } from '../types';

/** The architecture guide's organizations, with its quotas and cost centers. */
export const finance: CodegenOrganization = {
  id: 'finance',
  name: 'Finance',
  costCenter: 'FIN-001',
  environment: 'production',
  owner: 'group:default/finance-data',
  quotas: { maxConcurrentJobs: 20, maxClusters: 10, maxDbuPerHour: 100 },
  databricks: {
    host: 'https://finance.cloud.databricks.com',
    clusterPolicyId: 'E0631F5C0D000123',
    notificationEmails: ['data-oncall@finance.example.com'],
    instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/finance-databricks',
  },
  storage: 's3://finance-data-lake',
};

export const retail: CodegenOrganization = {
  id: 'retail',
  name: 'Retail',
  costCenter: 'RET-001',
  environment: 'staging',
  owner: 'group:default/retail-data',
  project: 'RET-ANALYTICS',
  quotas: { maxConcurrentJobs: 50, maxClusters: 20, maxDbuPerHour: 200 },
  databricks: { workspaceRoot: '/Workspace/Teams/retail/' },
  storage: 's3://retail-data-lake',
  // The reference data bucket retail owns besides its lake (http-delta.yaml joins from it).
  storageLocations: ['s3://retail-reference'],
};

export const healthcare: CodegenOrganization = {
  id: 'healthcare',
  name: 'Healthcare',
  costCenter: 'HLT-001',
  environment: 'development',
  owner: 'group:default/healthcare-data',
  quotas: { maxConcurrentJobs: 5 },
  storage: 's3://healthcare-data-lake',
  // Its CRM tables live in a catalog of their own (postgres-merge.yaml writes there).
  icebergCatalogs: ['crm_catalog'],
};

/** Not in the guide's sizing table. */
export const research: CodegenOrganization = {
  id: 'research',
  name: 'Research',
  costCenter: 'RES-001',
  environment: 'development',
  owner: 'group:default/research',
  quotas: { maxConcurrentJobs: 3 },
};

export const pipeline: CodegenPipeline = {
  id: 'pl-7f3a2c',
  name: 'daily-transactions',
  owner: 'group:default/finance-analytics',
  version: 3,
};
