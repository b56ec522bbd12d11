import type { DatasetKind } from '../spec/datasets';

/**
 * Names of the catalog entities the ingestion entity provider emits. Shared, so that the
 * scaffolder actions and the frontend compute the same refs as the provider.
 *
 * Every organization's entities live in a catalog namespace of their own (the organization id),
 * so that two organizations may use the same pipeline, connection or table names. Names are
 * valid catalog names for any input: an input that is already a valid lower-case name is used
 * as it is; any other input is normalised and gets a suffix derived from the exact input, so
 * two different inputs never end up with the same name and the same input always gets the same
 * name, whatever else exists.
 */

const MAX_NAME_LENGTH = 63;
const HASH_LENGTH = 10;
/** Catalog entity names: `[a-z0-9]` at both ends, `-_.` inside (checked case-insensitively). */
const VALID_NAME = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;
/** Catalog namespaces: DNS labels. */
const VALID_NAMESPACE = /^[a-z0-9]+(?:-+[a-z0-9]+)*$/;
/** What a normalised name's suffix looks like; inputs ending like it are suffixed too. */
const HASH_SUFFIX = new RegExp(`-[0-9a-f]{${HASH_LENGTH}}$`);

const FNV_OFFSET = BigInt('0xcbf29ce484222325');
const FNV_PRIME = BigInt('0x100000001b3');
const MASK_64 = BigInt('0xffffffffffffffff');

/**
 * 64-bit FNV-1a of the UTF-8 bytes of `text`, in hex. Not cryptographic: it only has to spread
 * names, and it runs in the browser as well as in Node.js.
 * @public
 */
export function stableHash(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}

function normalise(raw: string, valid: RegExp, invalidChars: RegExp): string {
  if (
    raw.length <= MAX_NAME_LENGTH &&
    valid.test(raw) &&
    !HASH_SUFFIX.test(raw)
  ) {
    return raw;
  }
  const suffix = stableHash(raw).slice(0, HASH_LENGTH);
  const base = raw
    .toLocaleLowerCase('en-US')
    .replace(invalidChars, '-')
    .slice(0, MAX_NAME_LENGTH - HASH_LENGTH - 1)
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[^a-z0-9]+$/, '');
  return base ? `${base}-${suffix}` : suffix;
}

/**
 * A valid catalog entity name for any text: the text itself when it already is a valid
 * lower-case name of at most 63 characters, otherwise a normalised prefix plus `-` and ten hex
 * digits of the text's hash.
 * @public
 */
export function toEntityName(raw: string): string {
  return normalise(raw, VALID_NAME, /[^a-z0-9._-]+/g);
}

/**
 * The catalog namespace of an organization's entities: the organization id, normalised like
 * {@link toEntityName} where it is not a DNS label.
 * @public
 */
export function organizationNamespace(organizationId: string): string {
  return normalise(organizationId, VALID_NAMESPACE, /[^a-z0-9-]+/g);
}

/** @public */
export interface EntityName {
  kind: 'System' | 'Component' | 'Resource';
  namespace: string;
  name: string;
}

/** `kind:namespace/name`, lower-case, as catalog relations spell refs. @public */
export function formatEntityRef(ref: EntityName): string {
  return `${ref.kind.toLocaleLowerCase('en-US')}:${ref.namespace}/${ref.name}`;
}

/**
 * The `System` of an organization's data platform: `<org>-data-platform`.
 * @public
 */
export function dataPlatformSystemName(organizationId: string): EntityName {
  return {
    kind: 'System',
    namespace: organizationNamespace(organizationId),
    name: toEntityName(`${organizationId}-data-platform`),
  };
}

/**
 * The `Component` of a pipeline: its name (pipeline names are unique in an organization).
 * @public
 */
export function pipelineEntityName(
  organizationId: string,
  pipelineName: string,
): EntityName {
  return {
    kind: 'Component',
    namespace: organizationNamespace(organizationId),
    name: toEntityName(pipelineName),
  };
}

const RELATIONAL: ReadonlySet<DatasetKind> = new Set([
  'mysql-table',
  'mariadb-table',
  'postgres-table',
]);

/**
 * The `Resource` of a dataset. Iceberg tables are named by their identifier
 * (`catalog.namespace.table`, which holds no `-`); other datasets by their kind and name
 * (`mysql-table.finance-db.transactions`), so a table and a source never share a name.
 * @public
 */
export function datasetEntityName(
  organizationId: string,
  dataset: { kind: DatasetKind | string; name: string },
): EntityName {
  let raw: string;
  if (dataset.kind === 'iceberg-table') {
    raw = dataset.name;
  } else if (RELATIONAL.has(dataset.kind as DatasetKind)) {
    // `connection/[schema.]table`: connections hold no `.` or `/`, so `.` keeps it unambiguous.
    raw = `${dataset.kind}.${dataset.name.replace('/', '.')}`;
  } else {
    raw = `${dataset.kind}.${dataset.name}`;
  }
  return {
    kind: 'Resource',
    namespace: organizationNamespace(organizationId),
    name: toEntityName(raw),
  };
}
