import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backstageCliToken } from './connection';

describe('backstageCliToken', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingestion-cli-auth-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fakeCli = (name: string, script: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return file;
  };

  it('runs `auth print-token` and returns the token of a signed-in person', async () => {
    const cli = fakeCli(
      'signed-in',
      '[ "$1 $2" = "auth print-token" ] && echo "  token-123  " || exit 3',
    );
    await expect(
      backstageCliToken({
        INGESTION_BACKSTAGE_CLI: cli,
        PATH: process.env.PATH,
      }),
    ).resolves.toBe('token-123');
  });

  it('returns nothing when nobody is signed in or the CLI is missing', async () => {
    const cli = fakeCli('signed-out', 'echo "No instances found" >&2; exit 1');
    await expect(
      backstageCliToken({
        INGESTION_BACKSTAGE_CLI: cli,
        PATH: process.env.PATH,
      }),
    ).resolves.toBeUndefined();
    await expect(
      backstageCliToken({
        INGESTION_BACKSTAGE_CLI: path.join(dir, 'missing'),
        PATH: process.env.PATH,
      }),
    ).resolves.toBeUndefined();
  });
});
