import { ingestionPlugin } from './plugin';

describe('ingestion', () => {
  it('should export plugin', () => {
    expect(ingestionPlugin).toBeDefined();
  });
});
