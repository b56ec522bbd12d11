import { execFile } from 'node:child_process';
import path from 'node:path';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';
// The backend's own test backend: the real plugin, permission backend and ingestion policy.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { startIngestionTestBackend } from '@ingestion-for-backstage/plugin-ingestion-backend/src/__testUtils__/startIngestionTestBackend';

jest.setTimeout(180_000);

const SDK = path.resolve(__dirname, '../../../sdk/python');
const USERS = [
  'finance-engineer',
  'finance-viewer',
  'finance-analyst',
  'finance-admin',
  'retail-admin',
];

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/**
 * The Python SDK (sdk/python) against the ingestion backend started here: its live checks run
 * with `python3 -m unittest` as demo users of two organizations.
 */
describe('the Python SDK against a running backend', () => {
  it('passes its live checks', async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startIngestionTestBackend({ knex });
    try {
      const result = await new Promise<{ code: number; output: string }>(
        resolve => {
          execFile(
            'python3',
            ['-m', 'unittest', '-v', 'tests.live_backend_check'],
            {
              cwd: SDK,
              timeout: 170_000,
              env: {
                ...process.env,
                PYTHONPATH: path.join(SDK, 'src'),
                INGESTION_URL: `http://localhost:${backend.server.port()}`,
                INGESTION_TOKENS: JSON.stringify(
                  Object.fromEntries(
                    USERS.map(user => [
                      user,
                      mockCredentials.user.token(`user:default/${user}`),
                    ]),
                  ),
                ),
                INGESTION_SPEC: JSON.stringify(briefBatchExample()),
              },
            },
            (error, stdout, stderr) =>
              resolve({
                code: error
                  ? Number((error as { code?: number }).code ?? 1)
                  : 0,
                output: `${stdout}${stderr}`,
              }),
          );
        },
      );
      expect(result.output).toMatch(/Ran 6 tests/);
      expect({ code: result.code, output: result.output }).toEqual({
        code: 0,
        output: expect.stringMatching(/\nOK\n/),
      });
    } finally {
      await backend.stop();
    }
  });
});
