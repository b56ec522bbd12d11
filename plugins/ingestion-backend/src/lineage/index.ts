import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { CatalogExportService } from './CatalogExportService';
import { CatalogExportStore } from './CatalogExportStore';
import { createCatalogExportRouter } from './catalogRouter';

export { CatalogExportService } from './CatalogExportService';
export { CatalogExportStore } from './CatalogExportStore';

/** The catalog export (`/v1/catalog`), as an entry of the router's `extraRouters`. */
export function createCatalogExportApi(options: {
  knex: Knex;
  httpAuth: HttpAuthService;
  directory: OrganizationDirectory;
}) {
  return {
    path: '/catalog',
    router: createCatalogExportRouter({
      httpAuth: options.httpAuth,
      service: new CatalogExportService({
        store: new CatalogExportStore(options.knex),
        directory: options.directory,
      }),
    }),
  };
}
