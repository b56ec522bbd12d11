import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { readRestCatalogs } from './restCatalogConfig';

const org = (id: string, iceberg?: JsonObject): JsonObject => ({
  id,
  ...(iceberg ? { iceberg } : {}),
});

describe('readRestCatalogs', () => {
  it('reads the organization’s own REST catalog and further ones', () => {
    const config = mockServices.rootConfig({
      data: {
        ingestion: {
          organizations: [
            org('finance'),
            org('retail', {
              type: 'rest',
              catalog: 'unity_main',
              uri: 'https://unity.example/api/2.1/unity-catalog/iceberg/',
              token: 'dapi-x',
            }),
            org('health-care', {
              type: 'rest',
              uri: 'https://polaris.example/api/catalog',
              warehouse: 'clinical',
              oauth2: {
                tokenUrl: 'https://polaris.example/api/catalog/v1/oauth/tokens',
                clientId: 'portal',
                clientSecret: 'secret',
                scope: 'PRINCIPAL_ROLE:ALL',
              },
              restCatalogs: [
                { name: 'glue', uri: 'https://glue.example/iceberg' },
              ],
            }),
          ],
        },
      },
    });
    expect(readRestCatalogs(config)).toEqual([
      {
        organizationId: 'retail',
        name: 'unity_main',
        uri: 'https://unity.example/api/2.1/unity-catalog/iceberg',
        auth: { type: 'bearer', token: 'dapi-x' },
      },
      {
        organizationId: 'health-care',
        name: 'health_care_catalog',
        uri: 'https://polaris.example/api/catalog',
        warehouse: 'clinical',
        auth: {
          type: 'oauth2',
          clientId: 'portal',
          clientSecret: 'secret',
          tokenUrl: 'https://polaris.example/api/catalog/v1/oauth/tokens',
          scope: 'PRINCIPAL_ROLE:ALL',
        },
      },
      {
        organizationId: 'health-care',
        name: 'glue',
        uri: 'https://glue.example/iceberg',
        auth: { type: 'none' },
      },
    ]);
  });

  it('refuses bad names and auth types', () => {
    const bad = (catalog: JsonObject) => () =>
      readRestCatalogs(
        mockServices.rootConfig({
          data: {
            ingestion: {
              organizations: [org('a1', { restCatalogs: [catalog] })],
            },
          },
        }),
      );
    expect(bad({ name: 'no-dashes', uri: 'https://x' })).toThrow(/identifier/);
    expect(
      bad({ name: 'x', uri: 'https://x', auth: { type: 'kerberos' } }),
    ).toThrow(/none, bearer or oauth2/);
  });
});
