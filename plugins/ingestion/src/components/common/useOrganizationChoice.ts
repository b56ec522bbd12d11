import { useApi } from '@backstage/frontend-plugin-api';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { ingestionApiRef } from '../../api/IngestionApi';

/** The signed-in user's organizations, those `offer` keeps (all by default). */
export function useOrganizations(
  offer?: (organization: OrganizationSummary) => boolean,
): { loading: boolean; error?: Error; organizations: OrganizationSummary[] } {
  const api = useApi(ingestionApiRef);
  const { value, loading, error } = useAsync(
    () => api.listOrganizations(),
    [api],
  );
  const organizations = useMemo(
    () => (offer ? (value?.items ?? []).filter(offer) : value?.items ?? []),
    // The filter is a page's constant: a new function each render must not re-filter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [value],
  );
  return { loading, error, organizations };
}

/** An organization page's state: the organizations it offers and the one chosen. */
export interface OrganizationChoice {
  loading: boolean;
  error?: Error;
  /** The organizations the page offers (its switcher's options). */
  organizations: OrganizationSummary[];
  /** `?organization=` of the page's address, when given. */
  requested?: string;
  /** The requested organization if offered, else the first offered without a request. */
  organization?: OrganizationSummary;
  /** Chooses an organization: `?organization=` in the address, other parameters kept. */
  select(id: string): void;
}

/**
 * The organization an Ingestion page (home, spend, admin console) shows: `?organization=<id>`
 * among the user's organizations that the page offers, or the first of them without one. A
 * requested organization the page does not offer is not chosen (the page reads "not found").
 */
export function useOrganizationChoice(
  offer?: (organization: OrganizationSummary) => boolean,
): OrganizationChoice {
  const { loading, error, organizations } = useOrganizations(offer);
  const [params, setParams] = useSearchParams();
  const requested = params.get('organization') ?? undefined;
  const organization = requested
    ? organizations.find(o => o.id === requested)
    : organizations[0];
  const select = useCallback(
    (id: string) =>
      setParams(
        current => {
          const next = new URLSearchParams(current);
          next.set('organization', id);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return { loading, error, organizations, requested, organization, select };
}
