import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { readTableMetadata } from '../iceberg/metadata/metadataFiles';
import type { PiiScanner } from '../pii/PiiScanner';
import type { TablesService } from '../service/TablesService';
import { describeIcebergMetadata } from './describeIcebergMetadata';
import type { IcebergDiscovery } from './IcebergDiscovery';
import type { RestCatalogConfig } from './restCatalogConfig';

/**
 * `/v1/tables/{tableId}/metadata`: an Iceberg table's schema history, snapshots, partition spec,
 * sort order, properties, size, row count and PII findings, read from its catalog now. The
 * caller must be allowed to read the table.
 */
export function createTableMetadataRouter(options: {
  knex: Knex;
  httpAuth: HttpAuthService;
  tables: TablesService;
  pii: PiiScanner;
  discovery: IcebergDiscovery;
  restCatalogs: RestCatalogConfig[];
}): express.Router {
  const router = Router();
  router.get('/:tableId/metadata', async (req, res) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const table = await options.tables.get(
      credentials,
      req.params.tableId,
      'metadata',
    );
    if (table.format !== 'iceberg' || !table.identifier) {
      throw new NotFoundError(`Table '${table.id}' is not an Iceberg table`);
    }
    const state = await options.pii.state.get(table.organization, table.id);
    const [catalogName, ...rest] = table.identifier.split('.');
    const name = rest.pop()!;
    const namespace = rest;
    let metadata: Record<string, unknown>;
    let metadataLocation: string | undefined;
    const rest_ = state?.discoveredIn?.startsWith('rest:')
      ? options.restCatalogs.find(
          c =>
            c.organizationId === table.organization &&
            `rest:${c.name}` === state.discoveredIn,
        )
      : undefined;
    if (rest_) {
      const loaded = await options.discovery
        .restClient(rest_)
        .loadTable({ namespace, name });
      metadata = loaded.metadata;
      metadataLocation = loaded.metadataLocation;
    } else {
      const row = await options
        .knex('iceberg_tables')
        .where({
          organization_id: table.organization,
          catalog_name: catalogName,
          table_namespace: namespace.join('.'),
          table_name: name,
        })
        .first('metadata_location');
      metadataLocation = row?.metadata_location ?? state?.metadataLocation;
      if (!metadataLocation) {
        throw new NotFoundError(
          `Table '${table.identifier}' is in no catalog this backend reads`,
        );
      }
      metadata = (await readTableMetadata(
        metadataLocation,
      )) as unknown as Record<string, unknown>;
    }
    res.json({
      ...describeIcebergMetadata(table.identifier, metadata, metadataLocation),
      tableId: table.id,
      organization: table.organization,
      discoveredIn: state?.discoveredIn,
      pii: state?.piiFindings ?? {},
    });
  });
  return router;
}
