import { validatePipelineSpec } from '../spec/validate';
import { masksPii, withPiiMasking } from './masking';

const spec = (transformations: object[]) => {
  const result = validatePipelineSpec({
    pipeline_type: 'batch',
    source: { type: 'file', path: 'raw/*.csv', format: 'csv' },
    transformations,
    target: { type: 'iceberg', catalog: 'c', schema: 's', table: 't' },
  });
  if (!result.valid) throw new Error(JSON.stringify(result.problems));
  return result.spec;
};

describe('withPiiMasking', () => {
  const known = { email: ['email' as const], ssn: ['ssn' as const] };

  it('masks only outside production', () => {
    expect(masksPii('production')).toBe(false);
    expect(masksPii('staging')).toBe(true);
    expect(masksPii('development')).toBe(true);
    const input = spec([]);
    expect(withPiiMasking(input, 'production', known)).toEqual({
      spec: input,
      masked: [],
    });
    const masked = withPiiMasking(input, 'development', known);
    expect(masked.spec.transformations).toEqual([
      { type: 'mask', columns: ['email', 'ssn'], method: 'hash' },
    ]);
    expect(masked.masked.map(m => m.column)).toEqual(['email', 'ssn']);
    // The effective spec is still a valid spec.
    expect(validatePipelineSpec(masked.spec).valid).toBe(true);
  });

  it('skips columns the spec masks itself, and columns it no longer writes', () => {
    expect(
      withPiiMasking(
        spec([{ type: 'mask', columns: ['email'], method: 'partial' }]),
        'staging',
        known,
      ).masked.map(m => m.column),
    ).toEqual(['ssn']);
    expect(
      withPiiMasking(
        spec([{ type: 'select', columns: ['id', 'email'] }]),
        'staging',
        known,
      ).masked.map(m => m.column),
    ).toEqual(['email']);
    expect(
      withPiiMasking(
        spec([{ type: 'rename', columns: { ssn: 'tax_id' } }]),
        'staging',
        known,
      ).masked.map(m => m.column),
    ).toEqual(['email']);
  });
});
