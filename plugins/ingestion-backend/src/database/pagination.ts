import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The sort value and id of the last row of the previous page. */
export interface CursorPosition {
  value: string | number;
  id: string;
}

/**
 * What a cursor is valid for: the list, its sort and every filter that decides its rows (the
 * caller's access filter and organization included). A cursor only continues the exact list
 * that issued it; anything else is a 400.
 */
export interface CursorContext {
  list: string;
  sort: { column: string; order: 'asc' | 'desc' };
  scope: Record<string, unknown>;
}

const KEY_TABLE = 'ingestion_signing_keys';
const KEY_NAME = 'page-cursors';
const VERSION = 'c1';
/** 128 bits of HMAC-SHA256: forging a cursor is as hard as guessing a random 128-bit value. */
const MAC_BYTES = 16;
/** Far above any cursor this API issues (a uuid or a name of at most a few hundred characters). */
const MAX_CURSOR_LENGTH = 2048;

const invalid = (reason: string) =>
  new InputError(`cursor: ${reason}; pass the nextCursor of the same list`);

/** JSON with object keys sorted, so the same context always has the same bytes. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      // Code-unit order, the same in every locale.
      .sort(([a], [b]) => Number(a > b) - Number(a < b));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Signs and checks page cursors with the installation's key. Cursors are opaque to clients but
 * come back through their hands, so each one carries an HMAC over its position and its
 * {@link CursorContext}: a forged, tampered, truncated or transplanted cursor fails the check and
 * never reaches SQL, where a value of the wrong type would be a database error (500 on
 * PostgreSQL) or a silently wrong page.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  private mac(context: CursorContext, payload: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`${VERSION}\n${canonical(context)}\n${payload}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  encode(context: CursorContext, position: CursorPosition): string {
    const payload = Buffer.from(
      JSON.stringify([position.value, position.id]),
      'utf8',
    ).toString('base64url');
    return `${VERSION}.${payload}.${this.mac(context, payload).toString(
      'base64url',
    )}`;
  }

  /** The position of a cursor this codec issued for `context`; `InputError` for anything else. */
  decode(context: CursorContext, cursor: string): CursorPosition {
    if (cursor.length > MAX_CURSOR_LENGTH) {
      throw invalid('too long');
    }
    const parts = cursor.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) {
      throw invalid('not a cursor returned by this API');
    }
    const [, payload, mac] = parts;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(context, payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalid(
        'not a cursor this API returned for this list, sort order and filters',
      );
    }
    let position: unknown;
    try {
      position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      position = undefined;
    }
    if (
      !Array.isArray(position) ||
      position.length !== 2 ||
      !['string', 'number'].includes(typeof position[0]) ||
      typeof position[1] !== 'string'
    ) {
      throw invalid('not a cursor returned by this API');
    }
    return { value: position[0], id: position[1] };
  }
}

/** The installation's cursor key per database: read (or created) once per knex client. */
const codecs = new WeakMap<Knex, Promise<CursorCodec>>();

async function loadKey(knex: Knex): Promise<Buffer> {
  const read = async () =>
    (await knex(KEY_TABLE).where({ name: KEY_NAME }).first()) as
      | { key: string }
      | undefined;
  let row = await read();
  if (!row) {
    // Kept in the database, not in config or the repository: every replica of this installation
    // shares it, and no other installation has it. Concurrent first starts keep the first key.
    await knex(KEY_TABLE)
      .insert({
        name: KEY_NAME,
        key: randomBytes(32).toString('base64'),
        created_at: new Date(),
      })
      .onConflict('name')
      .ignore();
    row = await read();
  }
  if (!row) {
    throw new Error(`No ${KEY_NAME} key in ${KEY_TABLE}`);
  }
  return Buffer.from(row.key, 'base64');
}

/** The cursor codec of the installation whose database `knex` is. */
export function cursorCodec(knex: Knex): Promise<CursorCodec> {
  let codec = codecs.get(knex);
  if (!codec) {
    codec = loadKey(knex).then(key => new CursorCodec(key));
    // A failed read is retried on the next request rather than cached.
    codec.catch(() => codecs.delete(knex));
    codecs.set(knex, codec);
  }
  return codec;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
