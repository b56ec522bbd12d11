import {
  installOpenApiRouteMatcherCache,
  memoizePathToRegexp,
} from './openApiRouteMatchers';

describe('memoizePathToRegexp', () => {
  const compile = (route: unknown, options?: Record<string, unknown>) => ({
    regexp: new RegExp(
      `^${String(route).replace(/:(\w+)/g, '([^/]+)')}$`,
      options?.sensitive ? '' : 'i',
    ),
    keys: [{ name: 'id' }],
  });

  it('compiles each route and options once, with the same results', () => {
    const original = jest.fn(compile);
    const memoized = memoizePathToRegexp(original);
    const first = memoized('/v1/pipelines/:id', {
      sensitive: false,
      strict: false,
    });
    const second = memoized('/v1/pipelines/:id', {
      sensitive: false,
      strict: false,
    });
    expect(original).toHaveBeenCalledTimes(1);
    expect(second.regexp).toBe(first.regexp);
    expect(second).not.toBe(first);
    expect(second.regexp.exec('/v1/pipelines/p-1')?.[1]).toBe('p-1');

    // Other options or another route compile again.
    memoized('/v1/pipelines/:id', { sensitive: true, strict: false });
    memoized('/v1/runs/:id', { sensitive: false, strict: false });
    expect(original).toHaveBeenCalledTimes(3);
    expect(
      memoized('/v1/pipelines/:id', { sensitive: true, strict: false }).regexp
        .flags,
    ).toBe('');
  });

  it('passes through what it cannot key safely', () => {
    const original = jest.fn(compile);
    const memoized = memoizePathToRegexp(original);
    memoized(['/a', '/b']);
    memoized(['/a', '/b']);
    memoized('/a', { encode: (s: string) => s });
    memoized('/a', { encode: (s: string) => s });
    expect(original).toHaveBeenCalledTimes(4);
    expect(memoizePathToRegexp(memoized)).toBe(memoized);
  });
});

describe('installOpenApiRouteMatcherCache', () => {
  it('memoizes the path-to-regexp copy the OpenAPI validator uses', () => {
    expect(installOpenApiRouteMatcherCache()).toBe(true);
    const validator = require.resolve('express-openapi-validator', {
      paths: [
        require('node:path').dirname(
          require.resolve('@backstage/backend-openapi-utils'),
        ),
      ],
    });
    const { pathToRegexp } = require(require.resolve('path-to-regexp', {
      paths: [require('node:path').dirname(validator)],
    }));
    const a = pathToRegexp('/v1/runs/:runId', {
      sensitive: false,
      strict: false,
    });
    const b = pathToRegexp('/v1/runs/:runId', {
      sensitive: false,
      strict: false,
    });
    expect(b.regexp).toBe(a.regexp);
    expect(a.regexp.exec('/v1/runs/r-9')?.[1]).toBe('r-9');
    expect(a.keys.map((k: { name: string }) => k.name)).toEqual(['runId']);
    // Installing again keeps the one memoized function.
    expect(installOpenApiRouteMatcherCache()).toBe(true);
    expect(
      require(require.resolve('path-to-regexp', {
        paths: [require('node:path').dirname(validator)],
      })).pathToRegexp,
    ).toBe(pathToRegexp);
  });
});
