import fs from 'node:fs';
import path from 'node:path';

describe('openapi.generated.ts', () => {
  it('is generated from the current openapi.yaml', () => {
    // eslint-disable-next-line @backstage/no-relative-monorepo-imports
    const { render } = require('../../scripts/generate-openapi-module.js');
    const current = fs.readFileSync(
      path.join(__dirname, 'openapi.generated.ts'),
      'utf8',
    );
    expect(current).toBe(render());
  });
});
