import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';
import { hashPipelineSpec } from './hashPipelineSpec';

describe('hashPipelineSpec', () => {
  it('ignores key order and sees every value', () => {
    const spec = briefBatchExample();
    const reordered = Object.fromEntries(Object.entries(spec).reverse());
    expect(hashPipelineSpec(reordered)).toBe(hashPipelineSpec(spec));
    expect(hashPipelineSpec(spec)).toMatch(/^[0-9a-f]{64}$/);

    const masked = {
      ...spec,
      transformations: [
        ...spec.transformations,
        { type: 'mask', columns: ['email'] },
      ],
    };
    expect(hashPipelineSpec(masked)).not.toBe(hashPipelineSpec(spec));
  });

  it('hashes a spec like its JSON form, without undefined values', () => {
    const spec = { ...briefBatchExample(), description: undefined };
    expect(hashPipelineSpec(spec)).toBe(
      hashPipelineSpec(JSON.parse(JSON.stringify(spec))),
    );
  });

  it('keeps array order significant', () => {
    expect(hashPipelineSpec({ a: [1, 2] })).not.toBe(
      hashPipelineSpec({ a: [2, 1] }),
    );
  });
});
