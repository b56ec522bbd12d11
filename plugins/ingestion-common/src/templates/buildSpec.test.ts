import { buildSpecInput, resolveTemplateValues } from './buildSpec';

describe('resolveTemplateValues', () => {
  const answers = {
    name: 'orders',
    mode: 'append',
    mergeKeys: ['id'],
    groupBy: ['region'],
    volume: 2.5,
    filter: '',
  };

  it('keeps the type of a whole placeholder and interpolates text around one', () => {
    expect(
      resolveTemplateValues(
        {
          keys: '${{ parameters.groupBy }}',
          volume: '${{parameters.volume}}',
          title: 'Pipeline ${{ parameters.name }} (${{ parameters.missing }})',
          fixed: 3,
        },
        answers,
      ),
    ).toEqual({
      keys: ['region'],
      volume: 2.5,
      title: 'Pipeline orders ()',
      fixed: 3,
    });
  });

  it('applies conditions like the scaffolder does', () => {
    const mapping = {
      whenMerge: "${{ parameters.mergeKeys if parameters.mode == 'merge' }}",
      unlessMerge: '${{ parameters.name if parameters.mode != "merge" }}',
      whenFilter: '${{ parameters.name if parameters.filter }}',
    };
    expect(resolveTemplateValues(mapping, answers)).toEqual({
      whenMerge: '',
      unlessMerge: 'orders',
      whenFilter: '',
    });
    expect(
      resolveTemplateValues(mapping, {
        ...answers,
        mode: 'merge',
        filter: 'a > 1',
      }),
    ).toEqual({
      whenMerge: ['id'],
      unlessMerge: '',
      whenFilter: 'orders',
    });
  });

  it('tells empty answers from given ones with `| length > 0`', () => {
    const nonEmpty = (name: string) =>
      resolveTemplateValues(`\${{ parameters.${name} | length > 0 }}`, {
        ...answers,
        none: {},
      });
    expect(['groupBy', 'name'].map(nonEmpty)).toEqual([true, true]);
    expect(['filter', 'missing', 'none'].map(nonEmpty)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('refuses expressions the browser cannot evaluate like the scaffolder', () => {
    expect(() =>
      resolveTemplateValues('${{ parameters.filter | upper }}', answers),
    ).toThrow(/Unsupported expression/);
  });
});

describe('buildSpecInput', () => {
  it('drops unanswered fields and switched-off items, and fills the catalog', () => {
    const { spec, applied } = buildSpecInput(
      {
        pipeline_type: 'batch',
        schedule: '',
        source: {
          type: 'postgres',
          connection: 'db',
          schema: null,
          table: 't',
        },
        transformations: [
          { if: '', type: 'filter', condition: '' },
          { if: 'x > 1', type: 'filter', condition: 'x > 1' },
          { type: 'dedupe', keys: ['id'], order_by: [{ column: '' }] },
        ],
        target: { type: 'iceberg', schema: 'analytics', table: 't' },
        data_quality: [],
      },
      { icebergCatalog: 'finance_catalog' },
    );
    expect(spec).toEqual({
      pipeline_type: 'batch',
      source: { type: 'postgres', connection: 'db', table: 't' },
      transformations: [
        { type: 'filter', condition: 'x > 1' },
        { type: 'dedupe', keys: ['id'] },
      ],
      target: {
        type: 'iceberg',
        catalog: 'finance_catalog',
        schema: 'analytics',
        table: 't',
      },
      data_quality: [],
    });
    expect(Object.keys(spec.target as object)[1]).toBe('catalog');
    expect(applied).toEqual(['target.catalog: finance_catalog']);
  });

  it('keeps a catalog the template names', () => {
    const { spec, applied } = buildSpecInput(
      { target: { type: 'iceberg', catalog: 'other', table: 't' } },
      { icebergCatalog: 'finance_catalog' },
    );
    expect(spec.target).toEqual({
      type: 'iceberg',
      catalog: 'other',
      table: 't',
    });
    expect(applied).toEqual([]);
  });
});
