import {
  buildSpecInput,
  resolveTemplateValues,
  validatePipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { loadTemplates } from './__testUtils__/startScaffolderTestBackend';
import { batchAnswers } from './__testUtils__/testConfig';

/**
 * The templates' review page estimates in the browser what Create will build on the server: both
 * use one mapping from answers to the spec (a YAML anchor), in the subset of the template syntax
 * the browser resolves.
 */
const templates = loadTemplates();

function reviewField(template: Record<string, any>) {
  const pages = template.spec.parameters as Array<Record<string, any>>;
  const last = pages[pages.length - 1];
  const [name, field] = Object.entries(
    last.properties as Record<string, any>,
  )[0];
  return { page: last, name, field };
}

describe.each(Object.keys(templates))('template %s', name => {
  const template = templates[name];

  it('ends with a cost estimate page that estimates the cost before Create', () => {
    const { page, field } = reviewField(template);
    expect(page.title).toBe('Cost estimate');
    expect(field['ui:field']).toBe('IngestionCostEstimate');
    expect(field['ui:options'].organization).toBe(
      '${{ parameters.organization }}',
    );
  });

  it('estimates the spec that the create step builds', () => {
    const create = template.spec.steps.find(
      (step: { action: string }) => step.action === 'ingestion:pipeline:create',
    );
    expect(reviewField(template).field['ui:options'].spec).toEqual(
      create.input.spec,
    );
  });

  it('uses only expressions the browser can resolve', () => {
    expect(() =>
      resolveTemplateValues(reviewField(template).field['ui:options'], {}),
    ).not.toThrow();
  });
});

it("resolves the batch template's answers into the guide's batch example", () => {
  const options = reviewField(templates['batch-database-to-iceberg']).field[
    'ui:options'
  ];
  const resolved = resolveTemplateValues(options, batchAnswers()) as {
    organization: string;
    expectedVolumeGb: number;
    spec: any;
  };
  expect(resolved.organization).toBe('finance');
  expect(resolved.expectedVolumeGb).toBe(5);
  const { spec } = buildSpecInput(resolved.spec, {
    icebergCatalog: 'finance_catalog',
  });
  const result = validatePipelineSpec(spec);
  expect(result.valid && result.spec).toMatchObject({
    schedule: { cron: '0 2 * * *' },
    transformations: [
      { type: 'filter', condition: 'amount > 0' },
      { type: 'aggregate', group_by: ['customer_id', 'date'] },
    ],
    target: { catalog: 'finance_catalog', mode: 'append' },
    data_quality: [{ type: 'completeness', threshold: 0.95 }],
  });
  expect(spec.target).not.toHaveProperty('merge_keys');
  expect(spec.data_quality).toHaveLength(1);
});
