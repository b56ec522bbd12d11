import { auditsTableReads } from './accessAudit';

describe('auditsTableReads', () => {
  it('audits restricted tables and tables with PII columns, nothing else', () => {
    expect(auditsTableReads({ classification: 'restricted' })).toBe(true);
    expect(
      auditsTableReads({ classification: 'internal', piiColumns: ['email'] }),
    ).toBe(true);
    expect(
      auditsTableReads({ classification: 'confidential', piiColumns: [] }),
    ).toBe(false);
    expect(auditsTableReads({})).toBe(false);
  });
});
