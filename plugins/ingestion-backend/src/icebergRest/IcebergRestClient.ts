import { IcebergRestCatalog, type AuthConfig } from 'iceberg-js';
import type { RestCatalogConfig } from './restCatalogConfig';

/** A table as a REST catalog loads it. */
export interface LoadedRestTable {
  namespace: string[];
  name: string;
  metadataLocation?: string;
  metadata: Record<string, unknown>;
}

/**
 * OAuth2 client credentials (RFC 6749 §4.4) for a catalog: a token is fetched on first use and
 * again shortly before it expires, or after the catalog rejected it.
 */
export class ClientCredentialsToken {
  private token?: { value: string; expiresAt: number };

  constructor(
    private readonly options: {
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope: string;
      fetch: typeof globalThis.fetch;
      clock?: () => number;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? Date.now();
  }

  invalidate() {
    this.token = undefined;
  }

  async get(): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) {
      return this.token.value;
    }
    const response = await this.options.fetch(this.options.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        scope: this.options.scope,
      }).toString(),
    });
    if (!response.ok) {
      // The error body may echo what was sent; never include it (it can hold the secret).
      throw new Error(
        `OAuth2 token request to ${this.options.tokenUrl} failed with status ${response.status}`,
      );
    }
    const body = (await response.json()) as {
      access_token?: string;
      expires_in?: number;
    };
    if (!body.access_token) {
      throw new Error(
        `OAuth2 token response of ${this.options.tokenUrl} has no access_token`,
      );
    }
    const lifetimeMs = (body.expires_in ?? 3600) * 1000;
    this.token = {
      value: body.access_token,
      // renew a minute early (or at half-life for short-lived tokens)
      expiresAt: this.now() + Math.max(lifetimeMs / 2, lifetimeMs - 60_000),
    };
    return this.token.value;
  }
}

/**
 * Reads an Iceberg REST catalog through `iceberg-js`: every namespace (nested ones too) and
 * every table, following the server's page tokens.
 */
export class IcebergRestClient {
  private readonly catalog: IcebergRestCatalog;
  private readonly oauth?: ClientCredentialsToken;

  constructor(
    readonly config: RestCatalogConfig,
    options: {
      /** The organization's guarded fetch (see src/egress): catalogs are tenant destinations. */
      fetch: typeof globalThis.fetch;
      pageSize?: number;
    },
  ) {
    const fetchImpl = options.fetch;
    let auth: AuthConfig = { type: 'none' };
    if (config.auth.type === 'bearer') {
      auth = { type: 'bearer', token: config.auth.token };
    } else if (config.auth.type === 'oauth2') {
      const oauth = new ClientCredentialsToken({
        tokenUrl: config.auth.tokenUrl ?? `${config.uri}/v1/oauth/tokens`,
        clientId: config.auth.clientId,
        clientSecret: config.auth.clientSecret,
        scope: config.auth.scope ?? 'catalog',
        fetch: fetchImpl,
      });
      this.oauth = oauth;
      auth = {
        type: 'custom',
        getHeaders: async () => ({
          Authorization: `Bearer ${await oauth.get()}`,
        }),
      };
    }
    this.pageSize = options.pageSize ?? 100;
    this.catalog = new IcebergRestCatalog({
      baseUrl: config.uri,
      warehouse: config.warehouse,
      auth,
      fetch: fetchImpl,
    });
  }

  private readonly pageSize: number;

  /** Runs a call once more with a fresh OAuth2 token if the catalog rejected the old one. */
  private async withAuthRetry<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (this.oauth && (status === 401 || status === 419)) {
        this.oauth.invalidate();
        return call();
      }
      throw error;
    }
  }

  /** Every namespace, depth first, nested ones included. */
  async listNamespaces(): Promise<string[][]> {
    const result: string[][] = [];
    const visit = async (parent?: string[]) => {
      let pageToken: string | undefined;
      do {
        const options = {
          ...(parent ? { parent: { namespace: parent } } : {}),
          pageSize: this.pageSize,
          ...(pageToken ? { pageToken } : {}),
        };
        const page = await this.withAuthRetry(() =>
          this.catalog.listNamespaces(options),
        );
        for (const { namespace } of page.namespaces) {
          result.push(namespace);
          await visit(namespace);
        }
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
    };
    await visit();
    return result;
  }

  async listTables(
    namespace: string[],
  ): Promise<Array<{ namespace: string[]; name: string }>> {
    const result: Array<{ namespace: string[]; name: string }> = [];
    let pageToken: string | undefined;
    do {
      const options = {
        pageSize: this.pageSize,
        ...(pageToken ? { pageToken } : {}),
      };
      const page = await this.withAuthRetry(() =>
        this.catalog.listTables({ namespace }, options),
      );
      result.push(...page.identifiers);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return result;
  }

  async loadTable(table: {
    namespace: string[];
    name: string;
  }): Promise<LoadedRestTable> {
    const loaded = await this.withAuthRetry(() =>
      this.catalog.loadTableResult(table),
    );
    if (!loaded) {
      throw new Error(`The catalog returned no metadata for ${table.name}`);
    }
    return {
      namespace: table.namespace,
      name: table.name,
      metadataLocation: loaded['metadata-location'] ?? undefined,
      metadata: loaded.metadata as unknown as Record<string, unknown>,
    };
  }
}
