import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { OrganizationPicker } from './OrganizationPicker';

/** Name of the field in templates: `ui:field: IngestionOrganizationPicker`. */
export const ORGANIZATION_PICKER_FIELD = 'IngestionOrganizationPicker';

/** The organization picker as a scaffolder form field (new frontend system). */
export const organizationPickerField = createFormField({
  name: ORGANIZATION_PICKER_FIELD,
  component: OrganizationPicker,
});
