import {
  routeResolutionApiRef,
  useApiHolder,
  type ApiHolder,
  type RouteResolutionApi,
} from '@backstage/frontend-plugin-api';
import {
  createVersionedContext,
  createVersionedValueMap,
  useVersionedContext,
} from '@backstage/version-bridge';
import { useMemo, type ComponentType, type ReactNode } from 'react';

/** The route resolver a legacy app (`@backstage/core-app-api`) provides in its routing context. */
type LegacyRouteResolver = {
  resolve(
    routeRef: unknown,
    options: { pathname: string },
  ): ((...params: any[]) => string) | undefined;
};

/** The API context every Backstage app shares, new and legacy alike. */
const ApiContext = createVersionedContext<{ 1: ApiHolder }>('api-context');

/**
 * Gives the plugin's components, which resolve routes through the new frontend system's
 * `routeResolutionApiRef`, the legacy app's routes: a legacy app has no route resolution API, but
 * a routing context that resolves the same route refs once they are mount points of the legacy
 * plugin's extensions. In a new-system app (or outside any app) it changes nothing.
 */
export function LegacyRouting(props: { children: ReactNode }) {
  const parent = useApiHolder();
  const resolver = useVersionedContext<{ 1: LegacyRouteResolver }>(
    'routing-context',
  )?.atVersion(1);
  const hasRouteResolution = parent.get(routeResolutionApiRef) !== undefined;
  const value = useMemo(() => {
    if (!resolver) return undefined;
    // Not annotated as RouteResolutionApi: frontend-plugin-api 1.x adds resolvePath, which
    // 0.18 (Backstage 1.55) does not have; a legacy app has no app tree to match pathnames against.
    const routeResolution = {
      resolvePath: () => ({ matches: [] }),
      resolve: ((routeRef: unknown, options?: { sourcePath?: string }) => {
        try {
          return resolver.resolve(routeRef, {
            pathname: options?.sourcePath ?? '/',
          });
        } catch {
          // A route ref the legacy app does not know (a page of the new system only) is not
          // mounted there: no link, as for a page the portal did not mount.
          return undefined;
        }
      }) as RouteResolutionApi['resolve'],
    };
    const holder: ApiHolder = {
      get: ref =>
        ref.id === routeResolutionApiRef.id
          ? (routeResolution as any)
          : parent.get(ref),
    };
    return createVersionedValueMap({ 1: holder });
  }, [parent, resolver]);
  if (hasRouteResolution || !value) {
    return <>{props.children}</>;
  }
  return (
    <ApiContext.Provider value={value}>{props.children}</ApiContext.Provider>
  );
}

/** A component of the plugin, rendered with the legacy app's routes. */
export function withLegacyRouting<P extends {}>(
  Component: ComponentType<P>,
): (props: P) => JSX.Element {
  const Wrapped = (props: P) => (
    <LegacyRouting>
      <Component {...props} />
    </LegacyRouting>
  );
  Wrapped.displayName = `LegacyRouting(${
    Component.displayName ?? Component.name
  })`;
  return Wrapped;
}
