import type { Knex } from 'knex';
import { toIso, toOptionalIso } from '../database/rows';
import type { OrganizationDefinition } from './organizationSchema';

const TABLE = 'ingestion_organizations';

/** Where an organization came from: the config seed or a platform admin's `POST`. */
export type OrganizationOrigin = 'config' | 'api';

/** An organization as the store holds it. */
export interface StoredOrganization {
  definition: OrganizationDefinition;
  origin: OrganizationOrigin;
  retired: boolean;
  retiredAt?: string;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

/** The organizations' store: settings, origin and retirement. */
export interface OrganizationStore {
  list(): Promise<StoredOrganization[]>;
  get(id: string): Promise<StoredOrganization | undefined>;
  /** Inserts; false when the id exists (retired ones included: ids are never reused). */
  insert(
    definition: OrganizationDefinition,
    options: { origin: OrganizationOrigin; actor: string; at: Date },
  ): Promise<boolean>;
  /** Replaces the settings; false when there is no such organization. */
  update(
    definition: OrganizationDefinition,
    options: { actor: string; at: Date },
  ): Promise<boolean>;
  /** Marks it retired (once: the first time stays); false when there is no such organization. */
  retire(id: string, options: { actor: string; at: Date }): Promise<boolean>;
}

interface Row {
  id: string;
  definition: string;
  origin: OrganizationOrigin;
  retired: boolean | number;
  retired_at: Date | number | string | null;
  created_by: string;
  updated_by: string;
  created_at: Date | number | string;
  updated_at: Date | number | string;
}

function fromRow(row: Row): StoredOrganization {
  return {
    definition: JSON.parse(row.definition) as OrganizationDefinition,
    origin: row.origin,
    retired: Boolean(row.retired),
    retiredAt: toOptionalIso(row.retired_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/** {@link OrganizationStore} on the plugin's database (table `ingestion_organizations`). */
export class DatabaseOrganizationStore implements OrganizationStore {
  constructor(private readonly knex: Knex) {}

  /** In the order they were added (config's order for the seed). */
  async list(): Promise<StoredOrganization[]> {
    const rows = await this.knex<Row>(TABLE)
      .select()
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.map(fromRow);
  }

  async get(id: string): Promise<StoredOrganization | undefined> {
    const row = await this.knex<Row>(TABLE).where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async insert(
    definition: OrganizationDefinition,
    options: { origin: OrganizationOrigin; actor: string; at: Date },
  ): Promise<boolean> {
    const inserted = await this.knex(TABLE)
      .insert({
        id: definition.id,
        definition: JSON.stringify(definition),
        origin: options.origin,
        retired: false,
        retired_at: null,
        created_by: options.actor,
        updated_by: options.actor,
        created_at: options.at,
        updated_at: options.at,
      })
      .onConflict('id')
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  async update(
    definition: OrganizationDefinition,
    options: { actor: string; at: Date },
  ): Promise<boolean> {
    const updated = await this.knex(TABLE)
      .where({ id: definition.id })
      .update({
        definition: JSON.stringify(definition),
        updated_by: options.actor,
        updated_at: options.at,
      });
    return updated > 0;
  }

  async retire(
    id: string,
    options: { actor: string; at: Date },
  ): Promise<boolean> {
    const exists = await this.knex(TABLE).where({ id }).first('id');
    if (!exists) return false;
    await this.knex(TABLE).where({ id, retired: false }).update({
      retired: true,
      retired_at: options.at,
      updated_by: options.actor,
      updated_at: options.at,
    });
    return true;
  }
}
