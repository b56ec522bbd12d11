export { OrganizationPicker } from './OrganizationPicker';
export type { OrganizationPickerUiOptions } from './OrganizationPicker';
export { ORGANIZATION_PICKER_FIELD } from './field';
export { organizationChoices, describeRemaining } from './organizationChoices';
export type { OrganizationChoice } from './organizationChoices';
