import { TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { as } from './__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from './__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

/**
 * The governance policy's `audit_access`: every read of a restricted or PII table is in the audit
 * log (who, which table, what of it), reads of other tables are not, and other organizations'
 * users read nothing.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'table access audit on %s',
  databaseId => {
    const ingestion = setUpIngestionTestBackend(databases, databaseId, {
      validateResponses: true,
    });

    async function table(
      name: string,
      facts: { classification?: string; piiColumns?: string[] },
    ): Promise<string> {
      const id = randomUUID();
      await ingestion.knex('data_tables').insert({
        id,
        organization_id: 'finance',
        format: 'parquet',
        location: `file:///warehouse/finance/${name}`,
        owner: 'group:default/finance',
        classification: facts.classification ?? null,
        pii_columns: facts.piiColumns ? JSON.stringify(facts.piiColumns) : null,
        created_at: new Date(),
        updated_at: new Date(),
      });
      return id;
    }
    const read = (user: string, id: string) =>
      request(ingestion.server)
        .get(`/api/ingestion/v1/tables/${id}`)
        .set('Authorization', as(user));
    const auditedReads = async () =>
      (
        await request(ingestion.server)
          .get('/api/ingestion/v1/audit?organization=finance&action=table.read')
          .set('Authorization', as('finance-admin'))
      ).body.items as Array<{
        actor: string;
        targetId: string;
        outcome: string;
        meta: Record<string, unknown>;
      }>;

    it('records reads of restricted and PII tables, and only those', async () => {
      const customers = await table('customers', {
        classification: 'internal',
        piiColumns: ['email', 'phone'],
      });
      const visits = await table('visits', { classification: 'restricted' });
      const totals = await table('totals', { classification: 'internal' });

      for (const id of [customers, visits, totals]) {
        expect((await read('finance-analyst', id)).status).toBe(200);
      }
      // Another organization's user gets nothing, and reads nothing to audit.
      expect((await read('retail-admin', customers)).status).toBe(404);

      const events = await auditedReads();
      expect(events.map(e => [e.actor, e.targetId, e.outcome]).sort()).toEqual(
        [
          ['user:default/finance-analyst', customers, 'success'],
          ['user:default/finance-analyst', visits, 'success'],
        ].sort(),
      );
      expect(events.find(e => e.targetId === customers)?.meta).toMatchObject({
        view: 'details',
        classification: 'internal',
        piiColumns: ['email', 'phone'],
      });
      expect(events.find(e => e.targetId === visits)?.meta).toMatchObject({
        view: 'details',
        classification: 'restricted',
        piiColumns: [],
      });
    });
  },
);
