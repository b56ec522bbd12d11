import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  DatabricksClient,
  type DatabricksClientOptions,
  type EngineOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { createHash } from 'node:crypto';

/**
 * The Databricks clients of the organizations' workspaces: one per organization, workspace host
 * and token, so nothing is shared between tenants.
 */
export class DatabricksWorkspaceClients {
  readonly #logger: LoggerService;
  readonly #options:
    | Omit<DatabricksClientOptions, 'host' | 'token'>
    | undefined;
  readonly #clients = new Map<string, DatabricksClient>();

  constructor(
    logger: LoggerService,
    options: Omit<DatabricksClientOptions, 'host' | 'token'> | undefined,
  ) {
    this.#logger = logger;
    this.#options = options;
  }

  /** The client of the organization's workspace; throws when it has none configured. */
  get(organization: EngineOrganization): DatabricksClient {
    const workspace = organization.databricks;
    if (!workspace) {
      throw new Error(
        `Organization "${organization.id}" has no Databricks workspace configured (ingestion.organizations[].databricks)`,
      );
    }
    // Keyed by the token's hash, so a rotated token gets a new client and no token is kept as a map key.
    const key = `${organization.id}\n${workspace.host}\n${createHash('sha256')
      .update(workspace.token)
      .digest('hex')}`;
    let client = this.#clients.get(key);
    if (!client) {
      const logger = this.#logger;
      client = new DatabricksClient({
        ...this.#options,
        host: workspace.host,
        token: workspace.token,
        onRetry: event => {
          logger.warn(
            `Databricks ${event.operation} for organization ${organization.id} failed (attempt ${event.attempt}): ${event.error.message}; retrying in ${event.delayMs} ms`,
          );
          this.#options?.onRetry?.(event);
        },
      });
      this.#clients.set(key, client);
    }
    return client;
  }
}
