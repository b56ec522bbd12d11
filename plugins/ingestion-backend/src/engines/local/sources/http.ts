import type { HttpSource } from '@ingestion-for-backstage/plugin-ingestion-common';
import { promises as fs } from 'node:fs';
import { LocalEngineError } from '../errors';
import { count, quoteIdentifier, quoteLiteral } from '../sql';
import { egressFailure } from './egress';
import { LoadedDataset, SourceContext } from './types';

/**
 * HTTP sources: paginated JSON APIs, fetched page by page into a newline-delimited JSON file in
 * the run's folder, then read by DuckDB (nested values become JSON text). Credentials come from
 * an `http` connection and are only ever sent to that connection's base URL. Requests go
 * through the organization's egress guard (src/egress): loopback, private and link-local
 * addresses are refused unless the organization allow-lists them, and redirects are refused.
 */

const REQUEST_TIMEOUT_MS = 30_000;

function at(body: unknown, path: string | undefined): unknown {
  if (!path) return body;
  let value = body;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match && /rel\s*=\s*"?next"?/i.test(match[2])) {
      return match[1];
    }
  }
  return undefined;
}

async function authHeaders(
  context: SourceContext,
  source: HttpSource,
): Promise<Record<string, string>> {
  if (!source.connection) return {};
  const connection = await context.resolveConnection(source.connection);
  if (connection.type !== 'http') {
    throw new LocalEngineError(
      `Connection '${source.connection}' is a ${connection.type} connection; an HTTP source needs an http connection`,
    );
  }
  const baseUrl = String(connection.settings.baseUrl ?? '');
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  if (!(source.url === baseUrl || source.url.startsWith(base))) {
    throw new LocalEngineError(
      `Connection '${source.connection}' is for ${baseUrl}; its credentials are not sent to ${source.url}`,
    );
  }
  const secret = connection.password ?? '';
  switch (connection.settings.auth ?? 'bearer') {
    case 'basic':
      return {
        authorization: `Basic ${Buffer.from(
          `${String(connection.settings.user ?? '')}:${secret}`,
        ).toString('base64')}`,
      };
    case 'header':
      return { [String(connection.settings.headerName)]: secret };
    default:
      return { authorization: `Bearer ${secret}` };
  }
}

export async function readHttp(
  context: SourceContext,
  source: HttpSource,
  table: string,
): Promise<LoadedDataset> {
  const origin = new URL(source.url).origin;
  const headers = {
    accept: 'application/json',
    ...(await authHeaders(context, source)),
  };
  const file = context.workspace.file(`${table}.ndjson`);
  const output = await fs.open(file, 'w');
  let records = 0;
  try {
    const pagination = source.pagination;
    let nextUrl: URL | undefined = new URL(source.url);
    let cursor: string | undefined;
    for (let page = 0; nextUrl && page < source.max_pages; page++) {
      context.checkCancelled();
      const url: URL = nextUrl;
      if (pagination.type !== 'link_header' || page === 0) {
        for (const [key, value] of Object.entries(source.params ?? {})) {
          url.searchParams.set(key, String(value));
        }
      }
      if (pagination.type === 'page') {
        url.searchParams.set(
          pagination.page_param,
          String(pagination.start_page + page),
        );
        if (pagination.size_param && pagination.page_size) {
          url.searchParams.set(
            pagination.size_param,
            String(pagination.page_size),
          );
        }
      } else if (pagination.type === 'offset') {
        url.searchParams.set(
          pagination.offset_param,
          String(page * pagination.page_size),
        );
        url.searchParams.set(
          pagination.limit_param,
          String(pagination.page_size),
        );
      } else if (pagination.type === 'cursor' && cursor !== undefined) {
        url.searchParams.set(pagination.cursor_param, cursor);
      }
      const response = await context.egress
        .fetch(url, {
          headers,
          redirect: 'error',
          signal: AbortSignal.any([
            context.signal,
            AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          ]),
        })
        .catch(error => {
          throw egressFailure(error);
        });
      if (!response.ok) {
        throw new LocalEngineError(
          `HTTP source ${url.origin}${url.pathname} answered ${response.status} ${response.statusText}`,
          { retryable: response.status === 429 || response.status >= 500 },
        );
      }
      const body = (await response.json()) as unknown;
      const found = at(body, source.records_path);
      let items: unknown[];
      if (Array.isArray(found)) {
        items = found;
      } else if (found && typeof found === 'object') {
        items = [found];
      } else {
        items = [];
      }
      const objects = items.filter(
        (item): item is Record<string, unknown> =>
          item !== null && typeof item === 'object' && !Array.isArray(item),
      );
      if (objects.length > 0) {
        await output.write(
          `${objects.map(item => JSON.stringify(item)).join('\n')}\n`,
        );
        records += objects.length;
      }
      // A preview's sample is full: no more pages.
      if (context.sampleRows !== undefined && records >= context.sampleRows) {
        break;
      }

      nextUrl = undefined;
      switch (pagination.type) {
        case 'page':
          if (
            items.length > 0 &&
            !(pagination.page_size && items.length < pagination.page_size)
          ) {
            nextUrl = new URL(source.url);
          }
          break;
        case 'offset':
          if (items.length >= pagination.page_size) {
            nextUrl = new URL(source.url);
          }
          break;
        case 'cursor': {
          const next = at(body, pagination.next_cursor_path);
          if (next !== undefined && next !== null && String(next) !== '') {
            cursor = String(next);
            nextUrl = new URL(source.url);
          }
          break;
        }
        case 'link_header': {
          const link = nextLink(response.headers.get('link'));
          if (link) {
            const resolved = new URL(link, url);
            if (resolved.origin !== origin) {
              throw new LocalEngineError(
                `HTTP source pagination points to another site (${resolved.origin}); refusing to follow it`,
              );
            }
            nextUrl = resolved;
          }
          break;
        }
        default:
          break;
      }
    }
  } finally {
    await output.close();
  }
  if (records === 0) {
    throw new LocalEngineError(
      `HTTP source ${source.url} returned no records${
        source.records_path ? ` at '${source.records_path}'` : ''
      }`,
    );
  }
  await context.log('info', `Fetched ${records} records from ${origin}`);
  const { connection } = context.workspace;
  await connection.run(
    `CREATE TABLE ${quoteIdentifier(
      table,
    )} AS SELECT * FROM read_json(${quoteLiteral(
      file,
    )}, format = 'newline_delimited')`,
  );
  await context.workspace.makePortable(table);
  return { rowsRead: await count(connection, quoteIdentifier(table)) };
}
