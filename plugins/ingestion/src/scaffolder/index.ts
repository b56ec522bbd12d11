export { OrganizationPicker } from './OrganizationPicker';
export type { OrganizationPickerUiOptions } from './OrganizationPicker';
export { ORGANIZATION_PICKER_FIELD } from './field';
export { organizationChoices, describeRemaining } from './organizationChoices';
export type { OrganizationChoice } from './organizationChoices';
export { CostEstimateField, estimateRequest } from './CostEstimateField';
export type { CostEstimateUiOptions } from './CostEstimateField';
export { COST_ESTIMATE_FIELD } from './field';
