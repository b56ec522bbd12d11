import {
  ORGANIZATION_RESOURCE_TYPE,
  PIPELINE_RESOURCE_TYPE,
  TABLE_RESOURCE_TYPE,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { createIsInOrganizationRule } from './isInOrganization';
import { createIsOwnerRule } from './isOwner';

/** Rules of the organization resource type. @public */
export const organizationRules = {
  isInOrganization: createIsInOrganizationRule(ORGANIZATION_RESOURCE_TYPE),
};
/** Rules of the pipeline resource type. @public */
export const pipelineRules = {
  isInOrganization: createIsInOrganizationRule(PIPELINE_RESOURCE_TYPE),
  isOwner: createIsOwnerRule(PIPELINE_RESOURCE_TYPE),
};
/** Rules of the table resource type. @public */
export const tableRules = {
  isInOrganization: createIsInOrganizationRule(TABLE_RESOURCE_TYPE),
  isOwner: createIsOwnerRule(TABLE_RESOURCE_TYPE),
};

export { createIsInOrganizationRule, createIsOwnerRule };
