import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultDevKeyFile, readMasterKeyRing } from './masterKeys';

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');

function config(secrets?: JsonObject) {
  return mockServices.rootConfig({
    data: secrets ? { ingestion: { secrets } } : {},
  });
}

describe('readMasterKeyRing', () => {
  // dir: the backend's working directory; state: the user's state directory.
  let dir: string;
  let state: string;
  const logger = mockServices.logger.mock();

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'ingestion-keys-'));
    state = await fs.mkdtemp(join(tmpdir(), 'ingestion-state-'));
    jest.clearAllMocks();
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(state, { recursive: true, force: true });
  });

  it('reads configured keys, the first being current', async () => {
    const ring = await readMasterKeyRing({
      config: config({
        masterKeys: [
          { id: 'key-b', key: KEY_B },
          { id: 'key-a', key: KEY_A },
        ],
      }),
      logger,
      environment: 'production',
    });
    expect(ring.currentKeyId).toBe('key-b');
    expect([...ring.keys.keys()]).toEqual(['key-b', 'key-a']);
    expect(ring.keys.get('key-a')).toEqual(Buffer.from(KEY_A, 'base64'));
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it.each([
    [{ id: 'short', key: randomBytes(16).toString('base64') }, /16 bytes/],
    [{ id: 'bad', key: 'not base64 at all!' }, /not base64/],
    [{ id: 'empty', key: '' }, /missing or empty/],
    [{ id: 'bad id!', key: KEY_A }, /\.id must be/],
  ])('refuses a bad key %#', async (entry, message) => {
    const error = await readMasterKeyRing({
      config: config({ masterKeys: [entry] }),
      logger,
      environment: 'production',
    }).catch(e => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(entry.key || '\u0000');
  });

  it('refuses the same id twice', async () => {
    await expect(
      readMasterKeyRing({
        config: config({
          masterKeys: [
            { id: 'k', key: KEY_A },
            { id: 'k', key: KEY_B },
          ],
        }),
        logger,
        environment: 'production',
      }),
    ).rejects.toThrow("has id 'k' twice");
  });

  it('refuses to start outside development without a key', async () => {
    await expect(
      readMasterKeyRing({
        config: config(),
        logger,
        environment: 'production',
        workingDirectory: dir,
      }),
    ).rejects.toThrow(/need a master key.*ingestion\.secrets\.masterKeys/);
    await expect(fs.readdir(dir)).resolves.toEqual([]);
  });

  it('generates a development key once, outside the working directory, and says where', async () => {
    const defaultKeyFile = join(state, 'ingestion-for-backstage/key.json');
    const first = await readMasterKeyRing({
      config: config(),
      logger,
      environment: 'development',
      workingDirectory: dir,
      defaultKeyFile,
    });
    const stat = await fs.stat(defaultKeyFile);
    expect(stat.mode & 0o777).toBe(0o600);
    await expect(fs.readdir(dir)).resolves.toEqual([]);
    expect(first.currentKeyId).toMatch(/^dev-[0-9a-f]{8}$/);
    expect(first.keys.get(first.currentKeyId)).toHaveLength(32);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        `generated a development key into ${defaultKeyFile}`,
      ),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('ingestion.secrets.masterKeys'),
    );
    const key = JSON.parse(await fs.readFile(defaultKeyFile, 'utf8')).key;
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(key);

    logger.warn.mockClear();
    const second = await readMasterKeyRing({
      config: config(),
      logger,
      environment: 'development',
      workingDirectory: dir,
      defaultKeyFile,
    });
    expect(second.currentKeyId).toBe(first.currentKeyId);
    expect(second.keys.get(second.currentKeyId)).toEqual(
      first.keys.get(first.currentKeyId),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(`using the development key in ${defaultKeyFile}`),
    );
  });

  it('moves a key an earlier version left in the working directory out of it', async () => {
    const legacy = join(dir, '.data/ingestion/connections-dev-master-key.json');
    await fs.mkdir(dirname(legacy), { recursive: true });
    await fs.writeFile(legacy, JSON.stringify({ id: 'dev-old', key: KEY_A }));
    const defaultKeyFile = join(state, 'ingestion-for-backstage/key.json');
    const ring = await readMasterKeyRing({
      config: config(),
      logger,
      environment: 'development',
      workingDirectory: dir,
      defaultKeyFile,
    });
    expect(ring.currentKeyId).toBe('dev-old');
    expect(ring.keys.get('dev-old')).toEqual(Buffer.from(KEY_A, 'base64'));
    await expect(fs.stat(legacy)).rejects.toThrow(/ENOENT/);
    expect((await fs.stat(defaultKeyFile)).mode & 0o777).toBe(0o600);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        `moved the development key from ${legacy} (inside the work tree) to ${defaultKeyFile}`,
      ),
    );
  });

  it('keeps the default key in the XDG state directory, else in ~/.local/state', () => {
    expect(defaultDevKeyFile({ XDG_STATE_HOME: '/var/state' }, '/home/u')).toBe(
      '/var/state/ingestion-for-backstage/connections-dev-master-key.json',
    );
    expect(defaultDevKeyFile({}, '/home/u')).toBe(
      '/home/u/.local/state/ingestion-for-backstage/connections-dev-master-key.json',
    );
  });

  it('uses a configured development key file', async () => {
    const ring = await readMasterKeyRing({
      config: config({ devKeyFile: 'keys/dev.json' }),
      logger,
      environment: 'development',
      workingDirectory: dir,
    });
    const stored = JSON.parse(
      await fs.readFile(join(dir, 'keys/dev.json'), 'utf8'),
    );
    expect(stored.id).toBe(ring.currentKeyId);
  });

  it('does not quote a malformed key file', async () => {
    const path = join(dir, 'broken.json');
    await fs.writeFile(path, `{"id":"dev-1","key":"${KEY_A}"`);
    const error = await readMasterKeyRing({
      config: config({ devKeyFile: path }),
      logger,
      environment: 'development',
    }).catch(e => e);
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).not.toContain(KEY_A);
  });

  it('prefers configured keys over the development key', async () => {
    const ring = await readMasterKeyRing({
      config: config({ masterKeys: [{ id: 'k', key: KEY_A }] }),
      logger,
      environment: 'development',
      workingDirectory: dir,
      defaultKeyFile: join(state, 'key.json'),
    });
    expect(ring.currentKeyId).toBe('k');
    await expect(fs.readdir(dir)).resolves.toEqual([]);
    await expect(fs.readdir(state)).resolves.toEqual([]);
  });

  it('uses an in-memory key under the test runner and writes nothing', async () => {
    const ring = await readMasterKeyRing({
      config: config(),
      logger,
      environment: 'test',
      workingDirectory: dir,
    });
    expect(ring.currentKeyId).toMatch(/^ephemeral-/);
    await expect(fs.readdir(dir)).resolves.toEqual([]);
  });
});
