import { createConditionExports } from '@backstage/plugin-permission-node';
import {
  organizationPermissionResourceRef,
  pipelinePermissionResourceRef,
  tablePermissionResourceRef,
} from './resources';
import { organizationRules, pipelineRules, tableRules } from './rules';

const organizationExports = createConditionExports({
  resourceRef: organizationPermissionResourceRef,
  rules: organizationRules,
});
const pipelineExports = createConditionExports({
  resourceRef: pipelinePermissionResourceRef,
  rules: pipelineRules,
});
const tableExports = createConditionExports({
  resourceRef: tablePermissionResourceRef,
  rules: tableRules,
});

/** Conditions on organizations, for permission policies. @public */
export const organizationConditions = organizationExports.conditions;
/** @public */
export const createOrganizationConditionalDecision =
  organizationExports.createConditionalDecision;
/** Conditions on pipelines, for permission policies. @public */
export const pipelineConditions = pipelineExports.conditions;
/** @public */
export const createPipelineConditionalDecision =
  pipelineExports.createConditionalDecision;
/** Conditions on tables, for permission policies. @public */
export const tableConditions = tableExports.conditions;
/** @public */
export const createTableConditionalDecision =
  tableExports.createConditionalDecision;
