import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';

/**
 * The `IngestionOrganizationPicker` field of the ingestion templates, for the scaffolder's forms.
 */
export const organizationPickerFormField = FormFieldBlueprint.make({
  name: 'organization-picker',
  params: {
    field: () => import('./field').then(m => m.organizationPickerField),
  },
});

/**
 * The `IngestionCostEstimate` field of the templates' review page: the estimated cost of the
 * pipeline being created, before Create.
 */
export const costEstimateFormField = FormFieldBlueprint.make({
  name: 'cost-estimate',
  params: {
    field: () => import('./field').then(m => m.costEstimateField),
  },
});
