import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { CostEstimateField } from './CostEstimateField';
import { OrganizationPicker } from './OrganizationPicker';

/** Name of the field in templates: `ui:field: IngestionOrganizationPicker`. */
export const ORGANIZATION_PICKER_FIELD = 'IngestionOrganizationPicker';

/** The organization picker as a scaffolder form field (new frontend system). */
export const organizationPickerField = createFormField({
  name: ORGANIZATION_PICKER_FIELD,
  component: OrganizationPicker,
});

/** Name of the review page's field in templates: `ui:field: IngestionCostEstimate`. */
export const COST_ESTIMATE_FIELD = 'IngestionCostEstimate';

/** The cost estimate of the review page as a scaffolder form field (new frontend system). */
export const costEstimateField = createFormField({
  name: COST_ESTIMATE_FIELD,
  component: CostEstimateField,
});
