/** Paginated JSON APIs over HTTP, fetched on the driver. */
import { pyLiteral, pyStr } from '../python';
import { indent } from '../notebook';
import { secret } from './sparkReader';

/** Pagination of an HTTP JSON API, as in the spec. */
export type HttpPagination =
  | { type: 'none' }
  | {
      type: 'page';
      page_param: string;
      size_param?: string;
      page_size?: number;
      start_page: number;
    }
  | {
      type: 'offset';
      offset_param: string;
      limit_param: string;
      page_size: number;
    }
  | { type: 'cursor'; cursor_param: string; next_cursor_path: string }
  | { type: 'link_header' };

/** Python statements that prepare the next request, or `break` when the last page was read. */
function nextPage(pagination: HttpPagination): string[] {
  switch (pagination.type) {
    case 'none':
      return ['break'];
    case 'page':
      return [
        'if not records_page:',
        '    break',
        `params[${pyStr(pagination.page_param)}] += 1`,
      ];
    case 'offset':
      return [
        `if len(records_page) < ${pagination.page_size}:`,
        '    break',
        `params[${pyStr(pagination.offset_param)}] += ${pagination.page_size}`,
      ];
    case 'cursor':
      return [
        `next_cursor = _dig(body, ${pyLiteral(
          pagination.next_cursor_path.split('.'),
        )})`,
        'if next_cursor in (None, "") or not records_page:',
        '    break',
        `params[${pyStr(pagination.cursor_param)}] = next_cursor`,
      ];
    case 'link_header':
      return [
        'url = response.links.get("next", {}).get("url")',
        'if not url:',
        '    break',
        '# The next link carries its own query string.',
        'params = {}',
      ];
    default:
      throw new Error(
        `Unsupported HTTP pagination ${(pagination as { type: string }).type}`,
      );
  }
}

function initialParams(
  params: Record<string, string | number | boolean>,
  pagination: HttpPagination,
): Record<string, string | number | boolean> {
  switch (pagination.type) {
    case 'page':
      return {
        ...params,
        [pagination.page_param]: pagination.start_page,
        ...(pagination.size_param && pagination.page_size
          ? { [pagination.size_param]: pagination.page_size }
          : {}),
      };
    case 'offset':
      return {
        ...params,
        [pagination.offset_param]: 0,
        [pagination.limit_param]: pagination.page_size,
      };
    default:
      return { ...params };
  }
}

/**
 * Paginated JSON over HTTP GET, collected on the driver (API-sized data) and read as JSON, with an inferred
 * schema. A connection's scope provides a bearer `token`, or else `username` and `password` for basic auth.
 * `max_pages` caps the requests; reaching it is recorded in the run summary.
 */
export function httpSource(options: {
  into: string;
  url: string;
  params: Record<string, string | number | boolean>;
  scope?: string;
  recordsPath?: string;
  pagination: HttpPagination;
  maxPages: number;
}): string[] {
  const fn = `_fetch_${options.into}`;
  const auth = options.scope
    ? [
        `    _keys = {s.key for s in dbutils.secrets.list(${pyStr(
          options.scope,
        )})}`,
        '    if "token" in _keys:',
        `        headers["Authorization"] = "Bearer " + ${secret(
          options.scope,
          'token',
        )}`,
        '    else:',
        `        auth = (${secret(options.scope, 'username')}, ${secret(
          options.scope,
          'password',
        )})`,
      ]
    : [];
  return [
    'import requests',
    '',
    '',
    'def _dig(value, path):',
    '    for key in path:',
    '        value = value.get(key) if isinstance(value, dict) else None',
    '    return value',
    '',
    '',
    `def ${fn}():`,
    '    headers = {"Accept": "application/json"}',
    '    auth = None',
    ...auth,
    `    url = ${pyStr(options.url)}`,
    `    params = ${pyLiteral(
      initialParams(options.params, options.pagination),
    )}`,
    '    records = []',
    `    for _ in range(${options.maxPages}):`,
    '        response = requests.get(url, headers=headers, params=params, auth=auth, timeout=60)',
    '        response.raise_for_status()',
    '        body = response.json()',
    options.recordsPath
      ? `        records_page = _dig(body, ${pyLiteral(
          options.recordsPath.split('.'),
        )})`
      : '        records_page = body',
    '        if not isinstance(records_page, list):',
    '            raise ValueError(f"Expected a JSON array of records from {url}")',
    '        records.extend(records_page)',
    ...indent(nextPage(options.pagination), 2),
    '    else:',
    `        print("Stopped after max_pages (${options.maxPages}) requests; later pages were not read.")`,
    '        SUMMARY["http_pages_truncated"] = True',
    '    return records',
    '',
    '',
    `${options.into} = spark.read.json(spark.sparkContext.parallelize([json.dumps(r) for r in ${fn}()]))`,
  ];
}
