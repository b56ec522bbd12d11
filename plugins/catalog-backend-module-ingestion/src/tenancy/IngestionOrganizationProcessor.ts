import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type {
  CatalogProcessor,
  LocationSpec,
} from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ORGANIZATION,
  ANNOTATION_OWNER,
  INGESTION_ANNOTATION_PREFIX,
  INGESTION_PROVIDER_LOCATION_TYPE,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { OrganizationGroups, userGroupRefs } from './OrganizationGroups';
import { groupRef, UNKNOWN_ORGANIZATION_MAX_AGE_MS } from './TenantDirectory';

/**
 * Ingestion annotations an entity from elsewhere may carry, by kind: the reference portal's
 * dev-only demo sign-in marks the demo users of `demo/org.yaml` with this one.
 */
const ALLOWED_ELSEWHERE: Record<string, ReadonlySet<string>> = {
  user: new Set([`${INGESTION_ANNOTATION_PREFIX}demo-user`]),
};

/** Spec fields that make an entity part of another (`partOf`), with the kind they default to. */
const CONTAINERS = [
  ['system', 'system'],
  ['domain', 'domain'],
  ['subcomponentOf', 'component'],
  ['subdomainOf', 'domain'],
] as const;

function refOrUndefined(
  value: string,
  context: { defaultKind: string; defaultNamespace: string },
) {
  try {
    return parseEntityRef(value, context);
  } catch {
    return undefined; // the catalog's own validation reports it
  }
}

/**
 * The organization whose provider entity this is, or undefined for any other entity. Only the
 * ingestion entity provider sets `ingestion-provider:<org>` as both managed-by and origin
 * location: the catalog overwrites both on every entity read from a file or URL, and no location
 * of that type can be read.
 */
function providerOrganization(
  location: LocationSpec,
  originLocation: LocationSpec,
): string | undefined {
  return location.type === INGESTION_PROVIDER_LOCATION_TYPE &&
    originLocation.type === INGESTION_PROVIDER_LOCATION_TYPE &&
    location.target === originLocation.target
    ? location.target
    : undefined;
}

function withAnnotation(entity: Entity, key: string, value: string): Entity {
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: { ...entity.metadata.annotations, [key]: value },
    },
  };
}

/**
 * Keeps each organization's space in the catalog to the organization, in one place:
 *
 * - The provider's entities are owned by a group of their organization (`spec.owner`), so no
 *   entity outside it (a user, a platform admin, another organization's group) lists them in its
 *   `ownerOf` relations; the owner the ingestion record names is kept in `ingestion.backstage.io/owner`.
 * - An organization's groups (owner group, role groups and the groups under them) get the
 *   organization annotation, so they and their relations are visible to its members only; so do
 *   users whose groups are all of one organization in which they hold a role. (Users of several
 *   organizations stay visible: one annotation cannot scope them to several.)
 * - Any other entity that claims the organization's space fails processing: an ingestion annotation
 *   or label, the organization's namespace, the name of its data platform `System`, or a place
 *   inside its space (`spec.system`, `domain`, `subcomponentOf`, `subdomainOf`). Groups and
 *   users may carry the organization annotation only where it is true (the group is the
 *   organization's; the user holds one of its roles).
 */
export class IngestionOrganizationProcessor implements CatalogProcessor {
  constructor(private readonly groups: OrganizationGroups) {}

  getProcessorName(): string {
    return 'IngestionOrganizationProcessor';
  }

  async preProcessEntity(
    entity: Entity,
    location: LocationSpec,
    _emit: unknown,
    originLocation: LocationSpec,
  ): Promise<Entity> {
    // Organizations change at run time: decide on ones at most a few seconds old.
    const { directory } = this.groups;
    await directory.ensureFresh();
    const organization = providerOrganization(location, originLocation);
    const named =
      organization ?? entity.metadata.annotations?.[ANNOTATION_ORGANIZATION];
    if (named !== undefined && !directory.get(named)) {
      // Created since the last read, perhaps: decide on what the ingestion backend holds now.
      await directory.ensureFresh({
        maxAgeMs: UNKNOWN_ORGANIZATION_MAX_AGE_MS,
      });
    }
    return organization === undefined
      ? this.checkForeignEntity(entity)
      : this.scopeProviderEntity(entity, organization);
  }

  private async scopeProviderEntity(
    entity: Entity,
    organization: string,
  ): Promise<Entity> {
    const ref = stringifyEntityRef(entity);
    const tenant = this.groups.directory.get(organization);
    if (!tenant) {
      // Fail closed: without the organization's groups its entities cannot be scoped.
      throw new InputError(
        `${ref}: organization '${organization}' is not an organization of the ingestion backend`,
      );
    }
    if (
      entity.metadata.annotations?.[ANNOTATION_ORGANIZATION] !== organization ||
      (entity.metadata.namespace ?? 'default') !== tenant.namespace
    ) {
      throw new InputError(
        `${ref}: the ingestion provider's entities of '${organization}' carry its annotation and namespace '${tenant.namespace}'`,
      );
    }
    const owner = entity.spec?.owner;
    if (owner === undefined) return entity;
    const scoped = await this.groups.scopedOwner(
      tenant,
      typeof owner === 'string' ? owner : undefined,
    );
    if (scoped === owner) return entity;
    const annotated = withAnnotation(entity, ANNOTATION_OWNER, String(owner));
    return { ...annotated, spec: { ...annotated.spec, owner: scoped } };
  }

  private async checkForeignEntity(entity: Entity): Promise<Entity> {
    const { directory } = this.groups;
    const kind = entity.kind.toLocaleLowerCase('en-US');
    const ref = stringifyEntityRef(entity);
    const problems: string[] = [];

    const inNamespace = directory.ofNamespace(entity.metadata.namespace);
    if (inNamespace) {
      problems.push(
        `namespace '${inNamespace.namespace}' holds organization '${inNamespace.id}'s entities`,
      );
    }
    const bySystemName = directory.ofSystemName(entity.metadata.name);
    if (bySystemName) {
      problems.push(
        `name '${bySystemName.systemName}' is organization '${bySystemName.id}'s data platform`,
      );
    }
    for (const [field, defaultKind] of CONTAINERS) {
      const value = (entity.spec as Record<string, unknown> | undefined)?.[
        field
      ];
      const target =
        typeof value === 'string' &&
        refOrUndefined(value, {
          defaultKind,
          defaultNamespace: entity.metadata.namespace ?? 'default',
        });
      const owner = target && directory.ofNamespace(target.namespace);
      if (owner) {
        problems.push(
          `spec.${field} puts it inside organization '${owner.id}'s space`,
        );
      }
    }
    const allowed = ALLOWED_ELSEWHERE[kind];
    for (const [where, values] of [
      ['annotation', entity.metadata.annotations],
      ['label', entity.metadata.labels],
    ] as const) {
      for (const key of Object.keys(values ?? {})) {
        if (
          key.startsWith(INGESTION_ANNOTATION_PREFIX) &&
          !allowed?.has(key) &&
          !(where === 'annotation' && key === ANNOTATION_ORGANIZATION)
        ) {
          problems.push(`${where} ${key} is the ingestion provider's`);
        }
      }
    }

    const claimed = entity.metadata.annotations?.[ANNOTATION_ORGANIZATION];
    let result = entity;
    if (kind === 'group') {
      const parent = (entity.spec as { parent?: unknown } | undefined)?.parent;
      const organization = await this.groups.organizationOfGroup(
        groupRef(ref),
        typeof parent === 'string' && parent
          ? groupRef(parent, entity.metadata.namespace)
          : null,
      );
      if (claimed !== undefined && claimed !== organization) {
        problems.push(
          `annotation ${ANNOTATION_ORGANIZATION}: '${claimed}' is not the organization this group belongs to (${
            organization ? `'${organization}'` : 'none'
          })`,
        );
      } else if (organization !== undefined && claimed === undefined) {
        result = withAnnotation(entity, ANNOTATION_ORGANIZATION, organization);
      }
    } else if (kind === 'user') {
      const groups = new Set([
        ...userGroupRefs(entity),
        ...(await this.groups.groupsOfUser(ref.toLocaleLowerCase('en-US'))),
      ]);
      if (claimed !== undefined) {
        const tenant = directory.get(claimed);
        if (!tenant || !directory.isMember(tenant, groups)) {
          problems.push(
            `annotation ${ANNOTATION_ORGANIZATION}: the user holds no role in '${claimed}'`,
          );
        }
      } else {
        const organization = await this.groups.organizationOfUser(groups);
        if (organization !== undefined) {
          result = withAnnotation(
            entity,
            ANNOTATION_ORGANIZATION,
            organization,
          );
        }
      }
    } else if (claimed !== undefined) {
      problems.push(
        `annotation ${ANNOTATION_ORGANIZATION} is the ingestion provider's`,
      );
    }

    if (problems.length > 0) {
      throw new InputError(
        `${ref} does not come from the ingestion provider and cannot claim an organization's space: ${problems.join(
          '; ',
        )}`,
      );
    }
    return result;
  }
}
