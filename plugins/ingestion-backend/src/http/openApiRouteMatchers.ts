import path from 'node:path';

type PathToRegexpResult = { regexp: RegExp; keys: unknown[] };
type PathToRegexp = (
  route: unknown,
  options?: Record<string, unknown>,
) => PathToRegexpResult;

const MEMOIZED = Symbol.for('ingestion.pathToRegexp.memoized');
/** Distinct (route, options) pairs kept; the OpenAPI document has a few dozen routes. */
const MAX_ENTRIES = 2_000;
/** The options `pathToRegexp` reads (path-to-regexp 8); any other option is not memoized. */
const OPTION_KEYS = new Set([
  'sensitive',
  'strict',
  'end',
  'trailing',
  'delimiter',
]);

/**
 * A `pathToRegexp` that compiles each (route, options) pair once. The result is a pure function
 * of its arguments (a regular expression without the `g` or `y` flag, so `exec` keeps no state,
 * and the route's parameter keys): callers get a fresh `{ regexp, keys }` wrapper each time.
 */
export function memoizePathToRegexp(original: PathToRegexp): PathToRegexp {
  if ((original as unknown as Record<symbol, unknown>)[MEMOIZED]) {
    return original;
  }
  const cache = new Map<string, PathToRegexpResult>();
  const memoized: PathToRegexp = (route, options) => {
    if (typeof route !== 'string') {
      return original(route, options);
    }
    // A `for…in` over the few options (no arrays allocated): this runs for every documented
    // route on every request.
    let key = route;
    for (const name in options) {
      if (!Object.prototype.hasOwnProperty.call(options, name)) continue;
      const value = options[name];
      if (
        !OPTION_KEYS.has(name) ||
        (value !== undefined &&
          typeof value !== 'boolean' &&
          typeof value !== 'string')
      ) {
        return original(route, options);
      }
      key += `\u0000${name}=${value}`;
    }
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = original(route, options);
      if (compiled.regexp.global || compiled.regexp.sticky) {
        return compiled;
      }
      if (cache.size < MAX_ENTRIES) {
        cache.set(key, compiled);
      }
    }
    return { regexp: compiled.regexp, keys: compiled.keys };
  };
  Object.defineProperty(memoized, MEMOIZED, { value: true });
  return memoized;
}

/**
 * The request validator of `createValidatedOpenApiRouter` (express-openapi-validator 5) finds a
 * request's OpenAPI operation by compiling every documented route with path-to-regexp, in order,
 * on every request (upstream: cdimascio/express-openapi-validator#1217, not released): with the
 * API's ~50 paths that was 5-6 % of a list request's CPU, more for routes late in the document.
 * This makes the compilation happen once per route. It replaces the `pathToRegexp` export of the
 * path-to-regexp copy that express-openapi-validator loads (it reads the export on each call), with
 * the same results; other users of that copy get the same, memoized, results. Idempotent.
 *
 * Returns whether the memoized function is installed (false if the packages are laid out
 * differently than expected, in which case nothing changes).
 */
export function installOpenApiRouteMatcherCache(): boolean {
  try {
    const utils = require.resolve('@backstage/backend-openapi-utils');
    const validator = require.resolve('express-openapi-validator', {
      paths: [path.dirname(utils)],
    });
    const modulePath = require.resolve('path-to-regexp', {
      paths: [path.dirname(validator)],
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pathToRegexpModule = require(modulePath) as {
      pathToRegexp?: PathToRegexp;
    };
    if (typeof pathToRegexpModule.pathToRegexp !== 'function') {
      return false;
    }
    pathToRegexpModule.pathToRegexp = memoizePathToRegexp(
      pathToRegexpModule.pathToRegexp,
    );
    return true;
  } catch {
    return false;
  }
}
