import {
  coreServices,
  createBackendModule,
  type RootConfigService,
} from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { TEST_CONFIG } from './demoTenants';
import { setUpIngestionTestBackend } from './setUpIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** A module of the ingestion plugin that keeps the config the backend started with. */
function configProbe(seen: { config?: RootConfigService }) {
  return createBackendModule({
    pluginId: 'ingestion',
    moduleId: 'config-probe',
    register(reg) {
      reg.registerInit({
        deps: { config: coreServices.rootConfig },
        async init({ config }) {
          seen.config = config;
        },
      });
    },
  });
}

const namesIn = (config: RootConfigService | undefined) =>
  config
    ?.getConfigArray('ingestion.organizations')
    .map(org => org.getString('name'));

describe('setUpIngestionTestBackend', () => {
  let stopped: ReturnType<typeof setUpIngestionTestBackend>;

  describe('with options computed in its beforeAll, stopped after all', () => {
    const seen: { config?: RootConfigService } = {};
    let optionsGot: Knex | undefined;
    let early: unknown;
    let suffix = '';
    beforeAll(() => {
      suffix = ' (set by an earlier hook)';
    });
    const ingestion = setUpIngestionTestBackend(
      databases,
      'SQLITE_3',
      knex => {
        optionsGot = knex;
        return {
          validateResponses: true,
          config: {
            ingestion: {
              ...TEST_CONFIG.ingestion,
              organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
                ...org,
                name: `${org.name}${suffix}`,
              })),
            },
          },
          features: [configProbe(seen)],
        };
      },
      { stop: true },
    );
    stopped = ingestion;
    try {
      void ingestion.server;
    } catch (error) {
      early = error;
    }

    it('says what is wrong when read before its beforeAll ran', () => {
      expect(early).toEqual(
        new Error(
          'The ingestion test backend on SQLITE_3 has not started: read it in tests or in hooks ' +
            'declared after setUpIngestionTestBackend, once its beforeAll has run (did it fail?)',
        ),
      );
    });

    it('starts the plugin on the database, with the options given', async () => {
      expect(optionsGot).toBe(ingestion.knex);
      expect(ingestion.server).toBe(ingestion.backend.server);
      const health = await request(ingestion.server).get(
        '/api/ingestion/v1/health',
      );
      expect(health.status).toBe(200);
      expect(await ingestion.knex.schema.hasTable('pipelines')).toBe(true);
      expect(namesIn(seen.config)).toEqual([
        'Finance (set by an earlier hook)',
        'Retail (set by an earlier hook)',
        'Healthcare (set by an earlier hook)',
      ]);
      expect(
        seen.config?.getOptionalBoolean('ingestion.api.validateResponses'),
      ).toBe(true);
      // The rest of the config given stays.
      expect(
        seen.config?.getNumber('ingestion.rateLimits.userShareOfOrganization'),
      ).toBe(1);
    });
  });

  it('stopped the backend after the tests of its describe', () => {
    expect(stopped.server.listening).toBe(false);
  });

  describe('with validateResponses and no config', () => {
    const seen: { config?: RootConfigService } = {};
    setUpIngestionTestBackend(databases, 'SQLITE_3', {
      validateResponses: true,
      features: [configProbe(seen)],
    });

    it('checks responses of the demo tenants', () => {
      expect(namesIn(seen.config)).toEqual(['Finance', 'Retail', 'Healthcare']);
      expect(
        seen.config?.getOptionalBoolean('ingestion.api.validateResponses'),
      ).toBe(true);
      expect(seen.config?.getOptionalBoolean('permission.enabled')).toBe(true);
    });
  });
});
