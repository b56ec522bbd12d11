import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { CommitConflictError } from '../errors';
import {
  assertValidIdentifier,
  assertValidNamespace,
  formatIdentifier,
  namespaceKey,
  parseNamespaceKey,
} from '../identifiers';
import {
  publishFileExclusive,
  removeQuietly,
  toLocalPath,
} from '../io/localFiles';
import {
  metadataFileLocation,
  readTableMetadata,
  writeVersionHint,
} from '../metadata/metadataFiles';
import { unpartitionedSpec } from '../metadata/partitioning';
import { newTableMetadata } from '../metadata/tableMetadata';
import {
  IcebergLoadedTable,
  IcebergPartitionSpec,
  IcebergSchema,
  IcebergTableIdentifier,
} from '../types';

const TABLES = 'iceberg_tables';
const NAMESPACE_PROPERTIES = 'iceberg_namespace_properties';

/** The JDBC catalog marks namespaces without properties with this key. */
const EXISTS_PROPERTY = 'exists';

/**
 * Options of {@link IcebergSqlCatalog}.
 *
 * @public
 */
export interface IcebergSqlCatalogOptions {
  /** Database holding the tables of migration `20261125120000_iceberg_catalog`. */
  database: Knex;
  /** Value of the `catalog_name` column; defaults to `ingestion`. */
  catalogName?: string;
}

/**
 * Options of {@link IcebergSqlCatalog.createTable}.
 *
 * @public
 */
export interface IcebergCreateTableOptions {
  /** Table location: an absolute `file:///` URI, without trailing slash. */
  location: string;
  schema: IcebergSchema;
  partitionSpec?: IcebergPartitionSpec;
  properties?: Record<string, string>;
}

/**
 * An Iceberg catalog over SQL tables laid out like Iceberg's JDBC catalog,
 * scoped by organization: every method takes the organization id and only
 * sees that organization's namespaces and tables.
 *
 * Commits are a compare-and-swap of the table's metadata location, which is
 * what makes concurrent writers safe.
 *
 * @public
 */
export class IcebergSqlCatalog {
  readonly #db: Knex;
  readonly #catalogName: string;

  constructor(options: IcebergSqlCatalogOptions) {
    this.#db = options.database;
    this.#catalogName = options.catalogName ?? 'ingestion';
  }

  #tableRow(organizationId: string, identifier: IcebergTableIdentifier) {
    return this.#db(TABLES).where({
      organization_id: organizationId,
      catalog_name: this.#catalogName,
      table_namespace: namespaceKey(identifier.namespace),
      table_name: identifier.name,
    });
  }

  /** Creates a namespace; fails with `ConflictError` if it exists. */
  async createNamespace(
    organizationId: string,
    namespace: string[],
    properties: Record<string, string> = {},
  ): Promise<void> {
    assertValidNamespace(namespace);
    if (await this.namespaceExists(organizationId, namespace)) {
      throw new ConflictError(
        `Namespace ${namespaceKey(namespace)} already exists`,
      );
    }
    const entries = Object.entries({
      [EXISTS_PROPERTY]: 'true',
      ...properties,
    });
    try {
      await this.#db(NAMESPACE_PROPERTIES).insert(
        entries.map(([key, value]) => ({
          organization_id: organizationId,
          catalog_name: this.#catalogName,
          namespace: namespaceKey(namespace),
          property_key: key,
          property_value: value,
        })),
      );
    } catch (error) {
      // A concurrent creation won the primary key.
      if (await this.namespaceExists(organizationId, namespace)) {
        throw new ConflictError(
          `Namespace ${namespaceKey(namespace)} already exists`,
        );
      }
      throw error;
    }
  }

  /** True if the namespace was created or holds tables. */
  async namespaceExists(
    organizationId: string,
    namespace: string[],
  ): Promise<boolean> {
    const key = namespaceKey(namespace);
    const [property, table] = await Promise.all([
      this.#db(NAMESPACE_PROPERTIES)
        .where({
          organization_id: organizationId,
          catalog_name: this.#catalogName,
          namespace: key,
        })
        .first('namespace'),
      this.#db(TABLES)
        .where({
          organization_id: organizationId,
          catalog_name: this.#catalogName,
          table_namespace: key,
        })
        .first('table_namespace'),
    ]);
    return Boolean(property || table);
  }

  /** A namespace's properties (without the internal `exists` marker). */
  async loadNamespaceProperties(
    organizationId: string,
    namespace: string[],
  ): Promise<Record<string, string>> {
    const rows = await this.#db(NAMESPACE_PROPERTIES)
      .where({
        organization_id: organizationId,
        catalog_name: this.#catalogName,
        namespace: namespaceKey(namespace),
      })
      .select('property_key', 'property_value');
    if (rows.length === 0) {
      if (await this.namespaceExists(organizationId, namespace)) {
        return {};
      }
      throw new NotFoundError(`Namespace ${namespaceKey(namespace)} not found`);
    }
    return Object.fromEntries(
      rows
        .filter(r => r.property_key !== EXISTS_PROPERTY)
        .map(r => [r.property_key, r.property_value ?? '']),
    );
  }

  /**
   * Lists the namespaces one level below `parent` (top-level namespaces
   * without it), sorted.
   */
  async listNamespaces(
    organizationId: string,
    parent: string[] = [],
  ): Promise<string[][]> {
    const scope = {
      organization_id: organizationId,
      catalog_name: this.#catalogName,
    };
    const [created, withTables] = await Promise.all([
      this.#db(NAMESPACE_PROPERTIES).where(scope).distinct('namespace'),
      this.#db(TABLES).where(scope).distinct('table_namespace'),
    ]);
    const keys = [
      ...created.map(r => r.namespace as string),
      ...withTables.map(r => r.table_namespace as string),
    ];
    const children = new Set<string>();
    for (const levels of keys.map(parseNamespaceKey)) {
      const inParent = parent.every((level, i) => levels[i] === level);
      if (inParent && levels.length > parent.length) {
        children.add(namespaceKey(levels.slice(0, parent.length + 1)));
      }
    }
    return [...children].sort().map(parseNamespaceKey);
  }

  /**
   * Creates a table: writes its first metadata file (`v1.metadata.json`, no
   * snapshot) under `options.location` and registers it. Fails with
   * `NotFoundError` without the namespace and `ConflictError` if the table
   * exists.
   */
  async createTable(
    organizationId: string,
    identifier: IcebergTableIdentifier,
    options: IcebergCreateTableOptions,
  ): Promise<IcebergLoadedTable> {
    await this.#assertCanRegister(organizationId, identifier);
    const metadata = newTableMetadata({
      location: options.location,
      schema: options.schema,
      spec: options.partitionSpec ?? unpartitionedSpec(),
      properties: options.properties,
    });
    const metadataLocation = metadataFileLocation(options.location, 1);
    const published = await publishFileExclusive(
      toLocalPath(metadataLocation),
      JSON.stringify(metadata, null, 2),
    );
    if (!published) {
      throw new ConflictError(
        `Location ${options.location} already holds a table`,
      );
    }
    try {
      await this.registerTable(organizationId, identifier, metadataLocation);
    } catch (error) {
      await removeQuietly([metadataLocation]);
      throw error;
    }
    await writeVersionHint(options.location, 1);
    return { identifier, metadataLocation, metadata };
  }

  async #assertCanRegister(
    organizationId: string,
    identifier: IcebergTableIdentifier,
  ): Promise<void> {
    assertValidIdentifier(identifier);
    if (!(await this.namespaceExists(organizationId, identifier.namespace))) {
      throw new NotFoundError(
        `Namespace ${namespaceKey(identifier.namespace)} not found`,
      );
    }
    if (await this.tableExists(organizationId, identifier)) {
      throw new ConflictError(
        `Table ${formatIdentifier(identifier)} already exists`,
      );
    }
  }

  /**
   * Registers a table whose metadata file exists already (Iceberg's
   * `registerTable`); writers use it to create a table together with its
   * first snapshot. Fails with `NotFoundError` without the namespace and
   * `ConflictError` if the table exists.
   */
  async registerTable(
    organizationId: string,
    identifier: IcebergTableIdentifier,
    metadataLocation: string,
  ): Promise<void> {
    await this.#assertCanRegister(organizationId, identifier);
    try {
      await this.#db(TABLES).insert({
        organization_id: organizationId,
        catalog_name: this.#catalogName,
        table_namespace: namespaceKey(identifier.namespace),
        table_name: identifier.name,
        metadata_location: metadataLocation,
        previous_metadata_location: null,
        iceberg_type: 'TABLE',
      });
    } catch (error) {
      // A concurrent registration won the primary key.
      if (await this.tableExists(organizationId, identifier)) {
        throw new ConflictError(
          `Table ${formatIdentifier(identifier)} already exists`,
        );
      }
      throw error;
    }
  }

  /** The table's current metadata location, or `NotFoundError`. */
  async loadMetadataLocation(
    organizationId: string,
    identifier: IcebergTableIdentifier,
  ): Promise<string> {
    const row = await this.#tableRow(organizationId, identifier)
      .where(q => q.where('iceberg_type', 'TABLE').orWhereNull('iceberg_type'))
      .first('metadata_location');
    if (!row?.metadata_location) {
      throw new NotFoundError(
        `Table ${formatIdentifier(identifier)} not found`,
      );
    }
    return row.metadata_location;
  }

  /** Loads a table's current metadata, or fails with `NotFoundError`. */
  async loadTable(
    organizationId: string,
    identifier: IcebergTableIdentifier,
  ): Promise<IcebergLoadedTable> {
    const metadataLocation = await this.loadMetadataLocation(
      organizationId,
      identifier,
    );
    return {
      identifier,
      metadataLocation,
      metadata: await readTableMetadata(metadataLocation),
    };
  }

  /** True if the table exists. */
  async tableExists(
    organizationId: string,
    identifier: IcebergTableIdentifier,
  ): Promise<boolean> {
    return Boolean(
      await this.#tableRow(organizationId, identifier).first('table_name'),
    );
  }

  /** Lists the tables of a namespace, sorted by name. */
  async listTables(
    organizationId: string,
    namespace: string[],
  ): Promise<IcebergTableIdentifier[]> {
    const rows = await this.#db(TABLES)
      .where({
        organization_id: organizationId,
        catalog_name: this.#catalogName,
        table_namespace: namespaceKey(namespace),
      })
      .where(q => q.where('iceberg_type', 'TABLE').orWhereNull('iceberg_type'))
      .orderBy('table_name')
      .select('table_name');
    return rows.map(r => ({ namespace, name: r.table_name }));
  }

  /**
   * Removes a table from the catalog. With `purge`, also deletes its folder
   * (data and metadata); without, the files stay.
   */
  async dropTable(
    organizationId: string,
    identifier: IcebergTableIdentifier,
    options: { purge?: boolean } = {},
  ): Promise<void> {
    const table = options.purge
      ? await this.loadTable(organizationId, identifier)
      : undefined;
    const deleted = await this.#tableRow(organizationId, identifier).delete();
    if (deleted === 0) {
      throw new NotFoundError(
        `Table ${formatIdentifier(identifier)} not found`,
      );
    }
    if (table) {
      await removeQuietly([table.metadata.location]);
    }
  }

  /**
   * Atomically points the table at `newMetadataLocation` if its current
   * metadata is still `expectedMetadataLocation`. Fails with
   * {@link CommitConflictError} when another commit came first, and with
   * `NotFoundError` when the organization has no such table.
   */
  async commitTable(
    organizationId: string,
    identifier: IcebergTableIdentifier,
    expectedMetadataLocation: string,
    newMetadataLocation: string,
  ): Promise<void> {
    const updated = await this.#tableRow(organizationId, identifier)
      .where('metadata_location', expectedMetadataLocation)
      .update({
        metadata_location: newMetadataLocation,
        previous_metadata_location: expectedMetadataLocation,
      });
    if (updated === 1) {
      return;
    }
    if (!(await this.tableExists(organizationId, identifier))) {
      throw new NotFoundError(
        `Table ${formatIdentifier(identifier)} not found`,
      );
    }
    throw new CommitConflictError(
      `Table ${formatIdentifier(
        identifier,
      )} changed since ${expectedMetadataLocation}`,
    );
  }
}
