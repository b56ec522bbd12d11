import { ANNOTATION_ORGANIZATION } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { SpendScope } from '../../api/CostsApi';

/** What {@link spendScopeOf} reads of a catalog entity. */
export interface ScopedEntity {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
  };
}

/**
 * Whose spend an entity page shows: a Group is a team of its organization (its sub-groups'
 * pipelines included), a System is the organization's data platform. Undefined for entities
 * outside any organization.
 */
export function spendScopeOf(entity: ScopedEntity): SpendScope | undefined {
  const organization = entity.metadata.annotations?.[ANNOTATION_ORGANIZATION];
  if (!organization) return undefined;
  if (entity.kind.toLocaleLowerCase('en-US') === 'group') {
    const team = `group:${entity.metadata.namespace ?? 'default'}/${
      entity.metadata.name
    }`;
    return { organization, team: team.toLocaleLowerCase('en-US') };
  }
  return { organization };
}
