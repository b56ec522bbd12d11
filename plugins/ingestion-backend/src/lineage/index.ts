import type {
  HttpAuthService,
  LifecycleService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import { cursorCodec } from '../database/pagination';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { CatalogExportService } from './CatalogExportService';
import { CatalogExportStore } from './CatalogExportStore';
import { createCatalogExportRouter } from './catalogRouter';
import { LineageGraphService } from './LineageGraphService';
import { createLineageRouter } from './lineageRouter';

export { CatalogExportService } from './CatalogExportService';
export { CatalogExportStore } from './CatalogExportStore';
export { LineageGraphService } from './LineageGraphService';
export { LineageSync } from './LineageSync';

/** The catalog export (`/v1/catalog`), as an entry of the router's `extraRouters`. */
export function createCatalogExportApi(options: {
  knex: Knex;
  httpAuth: HttpAuthService;
  directory: OrganizationDirectory;
  /** Its shutdown ends waiting change requests (long polls), so the server stops at once. */
  lifecycle?: LifecycleService;
}) {
  const stopping = new AbortController();
  options.lifecycle?.addShutdownHook(() => stopping.abort());
  return {
    path: '/catalog',
    router: createCatalogExportRouter({
      httpAuth: options.httpAuth,
      service: new CatalogExportService({
        store: new CatalogExportStore(options.knex),
        directory: options.directory,
        cursors: () => cursorCodec(options.knex),
        stopping: stopping.signal,
      }),
    }),
  };
}

/** Table and column lineage graphs (`/v1/lineage/graph`), as an entry of `extraRouters`. */
export function createLineageApi(options: {
  knex: Knex;
  httpAuth: HttpAuthService;
  authorizer: IngestionAuthorizer;
}) {
  return {
    path: '/lineage',
    router: createLineageRouter({
      httpAuth: options.httpAuth,
      service: new LineageGraphService({
        knex: options.knex,
        authorizer: options.authorizer,
      }),
    }),
  };
}
