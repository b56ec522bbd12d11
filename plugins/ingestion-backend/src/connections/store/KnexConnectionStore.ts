import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  applyAccessFilter,
  type AccessFilter,
} from '../../database/conditions';
import { openKeyset } from '../../database/keyset';
import type { ConnectionType } from '../types';
import type { ConnectionRecord, ConnectionStore } from './ConnectionStore';

const TABLE = 'connections';

interface ConnectionRow {
  id: string;
  organization_id: string;
  name: string;
  type: string;
  settings: string;
  secret_ciphertext: string;
  secret_iv: string;
  secret_tag: string;
  key_id: string;
  created_by: string;
  created_at: Date | string | number;
  rotated_at: Date | string | number | null;
}

/** Rows are mapped here and only here. */
function toRecord(row: ConnectionRow): ConnectionRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    type: row.type as ConnectionType,
    settings: JSON.parse(row.settings),
    secret: {
      ciphertext: row.secret_ciphertext,
      iv: row.secret_iv,
      tag: row.secret_tag,
      keyId: row.key_id,
    },
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    rotatedAt:
      row.rotated_at === null || row.rotated_at === undefined
        ? undefined
        : new Date(row.rotated_at),
  };
}

function toRow(record: ConnectionRecord): ConnectionRow {
  return {
    id: record.id,
    organization_id: record.organizationId,
    name: record.name,
    type: record.type,
    settings: JSON.stringify(record.settings),
    secret_ciphertext: record.secret.ciphertext,
    secret_iv: record.secret.iv,
    secret_tag: record.secret.tag,
    key_id: record.secret.keyId,
    created_by: record.createdBy,
    created_at: record.createdAt,
    rotated_at: record.rotatedAt ?? null,
  };
}

/** Unique-constraint violations of PostgreSQL, SQLite and MySQL/MariaDB. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062
  );
}

/** {@link ConnectionStore} on the plugin's knex database (SQLite, PostgreSQL, MySQL). */
export class KnexConnectionStore implements ConnectionStore {
  constructor(private readonly knex: Knex) {}

  async insert(record: ConnectionRecord): Promise<void> {
    try {
      await this.knex(TABLE).insert(toRow(record));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `Connection '${record.name}' already exists in organization '${record.organizationId}'`,
        );
      }
      throw error;
    }
  }

  async list(
    filter: AccessFilter,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: ConnectionRecord[]; nextCursor?: string }> {
    const keyset = await openKeyset<ConnectionRow>(this.knex, {
      list: 'connections',
      scope: { filter },
      column: 'name',
      order: 'asc',
      valueType: 'string',
      cursor: page.cursor,
      limit: page.limit,
      valueOf: row => row.name,
      idOf: row => row.id,
    });
    const query = this.knex<ConnectionRow>({ c: TABLE }).select('c.*');
    applyAccessFilter(query, filter, 'c');
    keyset.apply(query, 'c');
    const { rows, nextCursor } = keyset.page(await query);
    return {
      items: rows.map(toRecord),
      ...(nextCursor ? { nextCursor } : {}),
    };
  }

  async organizationOf(id: string): Promise<string | undefined> {
    const row = await this.knex(TABLE)
      .select('organization_id')
      .where({ id })
      .first();
    return row?.organization_id;
  }

  async get(
    organizationId: string,
    id: string,
  ): Promise<ConnectionRecord | undefined> {
    const row = await this.knex<ConnectionRow>(TABLE)
      .where({ organization_id: organizationId, id })
      .first();
    return row && toRecord(row);
  }

  async getByName(
    organizationId: string,
    name: string,
  ): Promise<ConnectionRecord | undefined> {
    const row = await this.knex<ConnectionRow>(TABLE)
      .where({ organization_id: organizationId, name })
      .first();
    return row && toRecord(row);
  }

  async updateSecret(
    organizationId: string,
    id: string,
    secret: ConnectionRecord['secret'],
    options: { rotatedAt?: Date; expectedKeyId?: string },
  ): Promise<boolean> {
    const query = this.knex(TABLE).where({
      organization_id: organizationId,
      id,
    });
    if (options.expectedKeyId !== undefined) {
      query.andWhere('key_id', options.expectedKeyId);
    }
    const updated = await query.update({
      secret_ciphertext: secret.ciphertext,
      secret_iv: secret.iv,
      secret_tag: secret.tag,
      key_id: secret.keyId,
      ...(options.rotatedAt ? { rotated_at: options.rotatedAt } : {}),
    });
    return updated > 0;
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const deleted = await this.knex(TABLE)
      .where({ organization_id: organizationId, id })
      .delete();
    return deleted > 0;
  }

  async listNotUnderKey(
    organizationId: string,
    keyId: string,
    options: { afterId?: string; limit: number },
  ): Promise<ConnectionRecord[]> {
    const query = this.knex<ConnectionRow>(TABLE)
      .where({ organization_id: organizationId })
      .andWhereNot('key_id', keyId);
    if (options.afterId) {
      query.andWhere('id', '>', options.afterId);
    }
    const rows: ConnectionRow[] = await query
      .orderBy('id', 'asc')
      .limit(options.limit);
    return rows.map(toRecord);
  }
}
