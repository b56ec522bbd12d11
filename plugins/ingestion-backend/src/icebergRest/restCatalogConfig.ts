import type { RootConfigService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

/** How to authenticate to an Iceberg REST catalog. */
export type RestCatalogAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | {
      type: 'oauth2';
      clientId: string;
      clientSecret: string;
      /** Default: the catalog's `<uri>/v1/oauth/tokens` (Polaris, Lakekeeper, Unity's Iceberg endpoint accept their own). */
      tokenUrl?: string;
      /** Default `catalog` (Polaris wants `PRINCIPAL_ROLE:ALL`). */
      scope?: string;
    };

/** An Iceberg REST catalog configured for an organization. */
export interface RestCatalogConfig {
  organizationId: string;
  /** The catalog's name in specs and identifiers (`catalog.namespace.table`). */
  name: string;
  uri: string;
  warehouse?: string;
  auth: RestCatalogAuth;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Reads `ingestion.organizations[].iceberg.restCatalogs`: each organization's Iceberg REST
 * catalogs (Unity Catalog's Iceberg endpoint, Polaris, Glue, Lakekeeper).
 */
export function readRestCatalogs(
  config: RootConfigService,
): RestCatalogConfig[] {
  const organizations =
    config.getOptionalConfigArray('ingestion.organizations') ?? [];
  return organizations.flatMap(org => {
    const organizationId = org.getString('id');
    const iceberg = org.getOptionalConfig('iceberg');
    const catalogs: RestCatalogConfig[] = [];
    // The organization's own catalog, when it is a REST catalog (`iceberg.type: rest`).
    if (iceberg?.getOptionalString('type') === 'rest') {
      const path = `ingestion.organizations[${organizationId}].iceberg`;
      const name =
        iceberg.getOptionalString('catalog') ??
        `${organizationId.replace(/-/g, '_')}_catalog`;
      if (!NAME.test(name)) {
        throw new InputError(`${path}.catalog '${name}' must be an identifier`);
      }
      const token = iceberg.getOptionalString('token');
      const oauth2 = iceberg.getOptionalConfig('oauth2');
      let auth: RestCatalogAuth = { type: 'none' };
      if (oauth2) {
        auth = {
          type: 'oauth2',
          clientId: oauth2.getString('clientId'),
          clientSecret: oauth2.getString('clientSecret'),
          tokenUrl: oauth2.getOptionalString('tokenUrl'),
          scope: oauth2.getOptionalString('scope'),
        };
      } else if (token) {
        auth = { type: 'bearer', token };
      }
      catalogs.push({
        organizationId,
        name,
        uri: iceberg.getString('uri').replace(/\/+$/, ''),
        warehouse: iceberg.getOptionalString('warehouse'),
        auth,
      });
    }
    return catalogs.concat(
      (iceberg?.getOptionalConfigArray('restCatalogs') ?? []).map(
        (catalog, index) => {
          const path = `ingestion.organizations[${organizationId}].iceberg.restCatalogs[${index}]`;
          const name = catalog.getString('name');
          if (!NAME.test(name)) {
            throw new InputError(
              `${path}.name '${name}' must be an identifier (letters, digits, _)`,
            );
          }
          const auth = catalog.getOptionalConfig('auth');
          const type = auth?.getOptionalString('type') ?? 'none';
          let parsed: RestCatalogAuth;
          if (type === 'bearer') {
            parsed = { type, token: auth!.getString('token') };
          } else if (type === 'oauth2') {
            parsed = {
              type,
              clientId: auth!.getString('clientId'),
              clientSecret: auth!.getString('clientSecret'),
              tokenUrl: auth!.getOptionalString('tokenUrl'),
              scope: auth!.getOptionalString('scope'),
            };
          } else if (type === 'none') {
            parsed = { type };
          } else {
            throw new InputError(
              `${path}.auth.type must be none, bearer or oauth2, got '${type}'`,
            );
          }
          return {
            organizationId,
            name,
            uri: catalog.getString('uri').replace(/\/+$/, ''),
            warehouse: catalog.getOptionalString('warehouse'),
            auth: parsed,
          };
        },
      ),
    );
  });
}
