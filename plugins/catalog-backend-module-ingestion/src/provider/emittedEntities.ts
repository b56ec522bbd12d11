import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { DeferredEntity } from '@backstage/plugin-catalog-node';
import { hash } from 'node:crypto';
import type { CatalogModel, SubjectKey } from './CatalogModel';
import { locationKeyOf } from './entities';

/**
 * The entities the provider emits for the model's subjects: a full snapshot, or the delta of
 * the subjects a change affected against what each subject last emitted.
 */

const ORGANIZATION_OF = 'ingestion.backstage.io/organization';

/** What a subject last emitted: its entity ref, content hash and location key. */
export interface Emitted {
  ref: string;
  hash: string;
  locationKey: string;
}

/** A delta mutation's entities, and what each affected subject emits after it. */
export interface EntityDelta {
  added: DeferredEntity[];
  removed: Array<{ entityRef: string; locationKey: string }>;
  /** The subjects whose emitted state changes: undefined for those that emit nothing now. */
  nextEmitted: Map<SubjectKey, Emitted | undefined>;
}

export function sameEmitted(
  before: ReadonlyMap<SubjectKey, Emitted>,
  after: ReadonlyMap<SubjectKey, Emitted>,
): boolean {
  if (before.size !== after.size) return false;
  for (const [key, state] of after) {
    const previous = before.get(key);
    if (previous?.ref !== state.ref || previous.hash !== state.hash) {
      return false;
    }
  }
  return true;
}

function hashOf(entity: Entity): string {
  // One-shot hashing: no Hash object per entity, which a full refresh builds by the hundred thousand.
  return hash('sha1', JSON.stringify(entity), 'base64');
}

function deferred(entity: Entity): DeferredEntity {
  return {
    entity,
    locationKey: locationKeyOf(entity.metadata.annotations![ORGANIZATION_OF]),
  };
}

function emittedOf(item: DeferredEntity): Emitted {
  return {
    ref: stringifyEntityRef(item.entity),
    hash: hashOf(item.entity),
    locationKey: item.locationKey!,
  };
}

/** Every subject's entity, for a full mutation, with what each emits. */
export function fullSnapshot(
  model: CatalogModel,
  logger: LoggerService,
): { entities: DeferredEntity[]; emitted: Map<SubjectKey, Emitted> } {
  const emitted = new Map<SubjectKey, Emitted>();
  const entities: DeferredEntity[] = [];
  const refs = new Set<string>();
  for (const key of model.eachSubject()) {
    const entity = model.entityOf(key);
    if (!entity) continue;
    const item = deferred(entity);
    const state = emittedOf(item);
    if (refs.has(state.ref)) {
      // Names are collision-free by construction; should two subjects still meet, keep one.
      logger.warn(`Two ingestion subjects map to ${state.ref}; keeping one`);
      continue;
    }
    refs.add(state.ref);
    emitted.set(key, state);
    entities.push(item);
  }
  return { entities, emitted };
}

/**
 * The affected subjects' entities that changed against what they last emitted (`emitted`), and
 * the entities of subjects that are gone or were renamed, for a delta mutation.
 */
export function entityDelta(
  model: CatalogModel,
  affected: Iterable<SubjectKey>,
  emitted: ReadonlyMap<SubjectKey, Emitted>,
): EntityDelta {
  const added: DeferredEntity[] = [];
  const removed: Array<{ entityRef: string; locationKey: string }> = [];
  const nextEmitted = new Map<SubjectKey, Emitted | undefined>();
  for (const key of affected) {
    const entity = model.entityOf(key);
    const before = emitted.get(key);
    if (!entity) {
      if (before) {
        removed.push({
          entityRef: before.ref,
          locationKey: before.locationKey,
        });
        nextEmitted.set(key, undefined);
      }
      continue;
    }
    const item = deferred(entity);
    const state = emittedOf(item);
    if (before?.ref === state.ref && before.hash === state.hash) continue;
    if (before && before.ref !== state.ref) {
      removed.push({
        entityRef: before.ref,
        locationKey: before.locationKey,
      });
    }
    added.push(item);
    nextEmitted.set(key, state);
  }
  return { added, removed, nextEmitted };
}
