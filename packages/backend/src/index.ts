import { createBackend } from '@backstage/backend-defaults';
import { permissionModuleIngestionPolicy } from '@ingestion-for-backstage/plugin-ingestion-backend';
import { authModuleDemoProvider } from './modules/authDemoProvider';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// auth: GitHub for production (app-config.production.yaml), demo users on the embedded default
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));
backend.add(authModuleDemoProvider);

// catalog, with the ingestion entity provider (pipelines, tables, lineage)
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(
  import('@ingestion-for-backstage/plugin-catalog-backend-module-ingestion'),
);

// scaffolder, with the ingestion actions
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@ingestion-for-backstage/plugin-scaffolder-backend-module-ingestion'),
);

// permissions: org roles (ingestion.organizations) mapped onto decisions; catalog entities of an
// organization visible to its members only
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(permissionModuleIngestionPolicy);

// search
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));
backend.add(import('@backstage/plugin-techdocs-backend'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// the actions registry's actions (backend.actions.pluginSources) for AI agents over MCP
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// ingestion
backend.add(import('@ingestion-for-backstage/plugin-ingestion-backend'));

backend.start();
