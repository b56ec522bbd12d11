import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The master keys connection secrets can be decrypted with; new secrets use the current one. */
export interface MasterKeyRing {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export const MIN_MASTER_KEY_BYTES = 32;
/** Where earlier versions kept the development key: inside the backend's working directory. */
export const LEGACY_DEV_KEY_FILE =
  '.data/ingestion/connections-dev-master-key.json';

/**
 * The default development key file: in the user's state directory, outside any work tree, so the
 * key cannot be committed with the portal (`$XDG_STATE_HOME/ingestion-for-backstage/…`, else
 * `~/.local/state/ingestion-for-backstage/…`).
 */
export function defaultDevKeyFile(
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  const stateHome = env.XDG_STATE_HOME?.trim() || join(home, '.local', 'state');
  return join(
    stateHome,
    'ingestion-for-backstage',
    'connections-dev-master-key.json',
  );
}
const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;

const HOW_TO_CONFIGURE =
  'Configure ingestion.secrets.masterKeys, e.g. `masterKeys: [{ id: key-2026-01, key: ${INGESTION_MASTER_KEY} }]` ' +
  'with INGESTION_MASTER_KEY set to the base64 of 32 random bytes (`openssl rand -base64 32`).';

/**
 * Decodes a base64 master key. Error messages name the key's id and path, never its value.
 */
export function decodeMasterKey(value: string, where: string): Buffer {
  const trimmed = value.trim();
  if (!BASE64_PATTERN.test(trimmed)) {
    throw new Error(`${where}: the key is not base64. ${HOW_TO_CONFIGURE}`);
  }
  const bytes = Buffer.from(
    trimmed.replace(/-/g, '+').replace(/_/g, '/'),
    'base64',
  );
  if (bytes.length < MIN_MASTER_KEY_BYTES) {
    throw new Error(
      `${where}: the key decodes to ${bytes.length} bytes; at least ${MIN_MASTER_KEY_BYTES} are required. ${HOW_TO_CONFIGURE}`,
    );
  }
  return bytes;
}

function checkKeyId(id: string, where: string): string {
  if (!KEY_ID_PATTERN.test(id)) {
    throw new Error(
      `${where}.id must be 1-64 letters, digits, dots, dashes or underscores`,
    );
  }
  return id;
}

/** Reads `ingestion.secrets.masterKeys`; undefined when none are configured. */
export function readConfiguredMasterKeys(
  config: Config,
): MasterKeyRing | undefined {
  const entries = config.getOptionalConfigArray('ingestion.secrets.masterKeys');
  if (!entries || entries.length === 0) {
    return undefined;
  }
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const where = `ingestion.secrets.masterKeys[${index}]`;
    const id = checkKeyId(entry.getString('id'), where);
    // Not getOptionalString: it rejects an empty string with a less helpful message.
    const value = entry.getOptional<unknown>('key');
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(
        `${where}.key (id '${id}') is missing or empty; is its environment variable set? ${HOW_TO_CONFIGURE}`,
      );
    }
    if (keys.has(id)) {
      throw new Error(`ingestion.secrets.masterKeys has id '${id}' twice`);
    }
    keys.set(id, decodeMasterKey(value, `${where}.key (id '${id}')`));
  });
  return { currentKeyId: entries[0].getString('id'), keys };
}

/**
 * The development key: generated once and kept in a file (mode 0600) so connections survive a
 * restart. Safe against two processes creating it at the same time.
 */
export async function loadOrCreateDevKey(
  path: string,
): Promise<MasterKeyRing & { created: boolean }> {
  const read = async () => {
    let parsed: { id?: unknown; key?: unknown } | undefined;
    try {
      parsed = JSON.parse(await fs.readFile(path, 'utf8'));
    } catch (error) {
      if (error instanceof SyntaxError) {
        // JSON.parse quotes the text it choked on, which would be the key: say less.
        throw new Error('not valid JSON');
      }
      throw error;
    }
    const id = checkKeyId(String(parsed?.id ?? ''), path);
    return {
      currentKeyId: id,
      keys: new Map([[id, decodeMasterKey(String(parsed?.key ?? ''), path)]]),
    };
  };
  try {
    return { ...(await read()), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `The development master key file ${path} is unreadable or malformed: ${
          (error as Error).message
        }`,
      );
    }
  }
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const content = JSON.stringify({
    id: `dev-${randomBytes(4).toString('hex')}`,
    key: randomBytes(MIN_MASTER_KEY_BYTES).toString('base64'),
    note: 'Development only: encrypts connection secrets of the embedded default. Never use in production.',
  });
  let created = true;
  try {
    await fs.writeFile(path, `${content}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
    created = false;
  }
  return { ...(await read()), created };
}

/**
 * Moves a development key that an earlier version wrote into the working directory to `target`,
 * so its connections stay readable and no key is left where it could be committed. Returns
 * whether it moved one.
 */
async function moveLegacyDevKey(
  workingDirectory: string,
  target: string,
): Promise<string | undefined> {
  const legacy = resolve(workingDirectory, LEGACY_DEV_KEY_FILE);
  if (legacy === target) {
    return undefined;
  }
  let content: string;
  try {
    content = await fs.readFile(legacy, 'utf8');
  } catch {
    return undefined;
  }
  await fs.mkdir(dirname(target), { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(target, content, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
    return undefined;
  }
  await fs.rm(legacy, { force: true });
  return legacy;
}

/**
 * The master key ring of the connections capability:
 *
 * - `ingestion.secrets.masterKeys` when configured (the first is current, the others still decrypt);
 * - otherwise, in development (`NODE_ENV=development`), a random key generated once into
 *   `ingestion.secrets.devKeyFile` (relative to the backend's working directory; default
 *   {@link defaultDevKeyFile}, outside the work tree), with a warning that says where it is and
 *   how to configure a real key;
 * - under the test runner (`NODE_ENV=test`), a random key held in memory only, unless a dev key
 *   file is configured;
 * - anywhere else, an error: the backend refuses to start.
 */
export async function readMasterKeyRing(options: {
  config: Config;
  logger: LoggerService;
  environment?: string;
  workingDirectory?: string;
  /** The default development key file; {@link defaultDevKeyFile} unless given. */
  defaultKeyFile?: string;
}): Promise<MasterKeyRing> {
  const { config, logger } = options;
  const environment = options.environment ?? process.env.NODE_ENV;
  const configured = readConfiguredMasterKeys(config);
  if (configured) {
    return configured;
  }
  const devKeyFile = config.getOptionalString('ingestion.secrets.devKeyFile');
  if (environment === 'test' && !devKeyFile) {
    const id = `ephemeral-${randomBytes(4).toString('hex')}`;
    return {
      currentKeyId: id,
      keys: new Map([[id, randomBytes(MIN_MASTER_KEY_BYTES)]]),
    };
  }
  if (environment !== 'development' && environment !== 'test') {
    throw new Error(
      `Ingestion connections need a master key to encrypt secrets, and none is configured ` +
        `(NODE_ENV is '${
          environment ?? ''
        }'; a generated key is only used in development). ${HOW_TO_CONFIGURE}`,
    );
  }
  const workingDirectory = options.workingDirectory ?? process.cwd();
  const path = devKeyFile
    ? resolve(workingDirectory, devKeyFile)
    : options.defaultKeyFile ?? defaultDevKeyFile();
  const moved = devKeyFile
    ? undefined
    : await moveLegacyDevKey(workingDirectory, path);
  const { created, ...ring } = await loadOrCreateDevKey(path);
  const what = moved
    ? `moved the development key from ${moved} (inside the work tree) to ${path}`
    : `${
        created
          ? 'generated a development key into'
          : 'using the development key in'
      } ${path}`;
  logger.warn(
    `No ingestion.secrets.masterKeys configured: ${what}, which encrypts connection secrets. ` +
      `Do not use it outside development; another file: ingestion.secrets.devKeyFile. ${HOW_TO_CONFIGURE}`,
  );
  return ring;
}
