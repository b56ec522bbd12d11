import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small Iceberg REST catalog for tests, following the Iceberg REST Catalog OpenAPI document
 * (apache/iceberg `open-api/rest-catalog-open-api.yaml`) for the routes the discovery uses:
 * `GET /v1/config` (with `overrides.prefix` for a warehouse), `POST /v1/oauth/tokens` (client
 * credentials), `GET /v1/{prefix}/namespaces` (`parent` with the 0x1F separator, `pageToken`,
 * `pageSize`, `next-page-token`), `GET /v1/{prefix}/namespaces/{namespace}/tables` (paged the
 * same way) and `GET /v1/{prefix}/namespaces/{namespace}/tables/{table}` (a `LoadTableResult`).
 * Errors are `IcebergErrorResponse`s. Every request needs a bearer token it issued or was given.
 */
export interface RestCatalogServer {
  url: string;
  /** Requests received, as `METHOD path?query`. */
  requests: string[];
  tokensIssued: number;
  /** Makes every issued OAuth2 token invalid (as after a rotation). */
  revokeTokens(): void;
  setTable(
    namespace: string[],
    name: string,
    table: { metadataLocation: string; metadata: Record<string, unknown> },
  ): void;
  close(): Promise<void>;
}

const SEPARATOR = '\u001f';
const nsKey = (namespace: string[]) => namespace.join(SEPARATOR);

function error(
  res: http.ServerResponse,
  code: number,
  type: string,
  message: string,
) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, code } }));
}

function json(res: http.ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A page of `items` from an opaque token (an offset here) and a page size. */
function page<T>(
  items: T[],
  query: URLSearchParams,
): { items: T[]; next: string | null } | { error: string } {
  const sizeText = query.get('pageSize');
  const size = sizeText === null ? items.length || 1 : Number(sizeText);
  if (!Number.isInteger(size) || size < 1) {
    return { error: `pageSize must be a positive integer, got ${sizeText}` };
  }
  const token = query.get('pageToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) {
    return { error: 'invalid pageToken' };
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    next:
      end < items.length
        ? Buffer.from(String(end)).toString('base64url')
        : null,
  };
}

export async function startRestCatalogServer(options: {
  /** Namespaces, nested ones as several levels. */
  namespaces: string[][];
  /** Accepted static bearer token. */
  bearerToken?: string;
  /** Accepted OAuth2 client. */
  client?: { id: string; secret: string };
  /** The warehouse the server maps to a prefix. */
  warehouse?: { name: string; prefix: string };
}): Promise<RestCatalogServer> {
  const namespaces = options.namespaces.map(n => [...n]);
  const tables = new Map<
    string,
    Map<string, { metadataLocation: string; metadata: Record<string, unknown> }>
  >();
  const issued = new Set<string>();
  const requests: string[] = [];
  let tokensIssued = 0;
  const prefix = options.warehouse?.prefix;

  const authorized = (req: http.IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : undefined;
    return (
      token !== undefined &&
      (token === options.bearerToken || issued.has(token))
    );
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.method === 'POST' && url.pathname === '/v1/oauth/tokens') {
      let body = '';
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (
          req.headers['content-type'] !== 'application/x-www-form-urlencoded' ||
          form.get('grant_type') !== 'client_credentials'
        ) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_request' }));
          return;
        }
        if (
          !options.client ||
          form.get('client_id') !== options.client.id ||
          form.get('client_secret') !== options.client.secret
        ) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_client' }));
          return;
        }
        const token = randomUUID();
        issued.add(token);
        tokensIssued++;
        json(res, {
          access_token: token,
          token_type: 'bearer',
          expires_in: 3600,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        });
      });
      return;
    }
    if (req.method !== 'GET') {
      error(res, 405, 'MethodNotAllowed', `${req.method} is not served here`);
      return;
    }
    if (!authorized(req)) {
      error(res, 401, 'NotAuthorizedException', 'Not authorized');
      return;
    }
    if (url.pathname === '/v1/config') {
      const warehouse = url.searchParams.get('warehouse');
      json(res, {
        defaults: {},
        overrides:
          prefix && warehouse === options.warehouse?.name ? { prefix } : {},
        endpoints: [
          'GET /v1/{prefix}/namespaces',
          'GET /v1/{prefix}/namespaces/{namespace}/tables',
          'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
        ],
      });
      return;
    }
    const base = prefix ? `/v1/${prefix}` : '/v1';
    if (!url.pathname.startsWith(`${base}/namespaces`)) {
      error(res, 404, 'NoSuchResourceException', `No route ${url.pathname}`);
      return;
    }
    const parts = url.pathname
      .slice(`${base}/namespaces`.length)
      .split('/')
      .filter(Boolean);
    if (parts.length === 0) {
      const parentText = url.searchParams.get('parent');
      const parent = parentText ? parentText.split(SEPARATOR) : [];
      if (
        parent.length > 0 &&
        !namespaces.some(n => nsKey(n) === nsKey(parent))
      ) {
        error(res, 404, 'NoSuchNamespaceException', 'Namespace does not exist');
        return;
      }
      const children = namespaces.filter(
        n =>
          n.length === parent.length + 1 &&
          nsKey(n.slice(0, parent.length)) === nsKey(parent),
      );
      const result = page(children, url.searchParams);
      if ('error' in result) {
        error(res, 400, 'BadRequestException', result.error);
        return;
      }
      json(res, { namespaces: result.items, 'next-page-token': result.next });
      return;
    }
    const namespace = decodeURIComponent(parts[0]).split(SEPARATOR);
    if (!namespaces.some(n => nsKey(n) === nsKey(namespace))) {
      error(res, 404, 'NoSuchNamespaceException', 'Namespace does not exist');
      return;
    }
    const inNamespace = tables.get(nsKey(namespace)) ?? new Map();
    if (parts.length === 2 && parts[1] === 'tables') {
      const result = page([...inNamespace.keys()].sort(), url.searchParams);
      if ('error' in result) {
        error(res, 400, 'BadRequestException', result.error);
        return;
      }
      json(res, {
        identifiers: result.items.map(name => ({ namespace, name })),
        'next-page-token': result.next,
      });
      return;
    }
    if (parts.length === 3 && parts[1] === 'tables') {
      const table = inNamespace.get(decodeURIComponent(parts[2]));
      if (!table) {
        error(res, 404, 'NoSuchTableException', 'Table does not exist');
        return;
      }
      json(res, {
        'metadata-location': table.metadataLocation,
        metadata: table.metadata,
        config: {},
      });
      return;
    }
    error(res, 404, 'NoSuchResourceException', `No route ${url.pathname}`);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get tokensIssued() {
      return tokensIssued;
    },
    revokeTokens: () => issued.clear(),
    setTable(namespace, name, table) {
      const key = nsKey(namespace);
      if (!tables.has(key)) tables.set(key, new Map());
      tables.get(key)!.set(name, table);
    },
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close(e => (e ? reject(e) : resolve())),
      ),
  };
}

/** Spec-shaped (format v2) table metadata with two schemas and two snapshots. */
export function tableMetadata(options: {
  location: string;
  columns: string[];
  snapshots?: number;
}): Record<string, unknown> {
  const fields = options.columns.map((name, i) => ({
    id: i + 1,
    name,
    required: i === 0,
    type: i === 0 ? 'long' : 'string',
  }));
  const count = options.snapshots ?? 2;
  const snapshots = Array.from({ length: count }, (_, i) => ({
    'snapshot-id': 7_000_000_000_000 + i,
    ...(i > 0 ? { 'parent-snapshot-id': 7_000_000_000_000 + i - 1 } : {}),
    'sequence-number': i + 1,
    'timestamp-ms': 1767225600000 + i * 86400000,
    'manifest-list': `${options.location}/metadata/snap-${i}.avro`,
    'schema-id': i === 0 ? 0 : 1,
    summary: {
      operation: i === 0 ? 'append' : 'overwrite',
      'added-data-files': String(2 + i),
      'deleted-data-files': String(i),
      'added-records': String(100 * (i + 1)),
      'deleted-records': String(i * 50),
      'total-records': String(100 + i * 150),
      'total-data-files': String(2 + i),
      'total-files-size': String(4096 * (i + 1)),
    },
  }));
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location: options.location,
    'last-sequence-number': count,
    'last-updated-ms': 1767225600000 + count * 86400000,
    'last-column-id': fields.length,
    schemas: [
      { type: 'struct', 'schema-id': 0, fields: fields.slice(0, -1) },
      { type: 'struct', 'schema-id': 1, fields },
    ],
    'current-schema-id': 1,
    'partition-specs': [
      {
        'spec-id': 0,
        fields: [
          {
            name: 'id_bucket',
            transform: 'bucket[16]',
            'source-id': 1,
            'field-id': 1000,
          },
        ],
      },
    ],
    'default-spec-id': 0,
    'last-partition-id': 1000,
    properties: { owner: 'sales', 'write.format.default': 'parquet' },
    'current-snapshot-id': snapshots[snapshots.length - 1]['snapshot-id'],
    snapshots,
    'snapshot-log': snapshots.map(s => ({
      'snapshot-id': s['snapshot-id'],
      'timestamp-ms': s['timestamp-ms'],
    })),
    'metadata-log': [],
    'sort-orders': [
      {
        'order-id': 1,
        fields: [
          {
            transform: 'identity',
            'source-id': 1,
            direction: 'asc',
            'null-order': 'nulls-first',
          },
        ],
      },
    ],
    'default-sort-order-id': 1,
  };
}
