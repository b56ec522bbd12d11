import { InputError } from '@backstage/errors';
import { IcebergTableIdentifier } from './types';

// Names end up as folder names under the warehouse and as SQL keys: keeping
// them to a conservative character set rules out path traversal and the '.'
// that joins namespace levels in the catalog tables.
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

function assertValidName(kind: string, name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new InputError(
      `Invalid Iceberg ${kind} name '${name}': use letters, digits, '_' or '-', starting with a letter or '_' (at most 128 characters)`,
    );
  }
}

/** Validates namespace levels; a namespace has at least one level. */
export function assertValidNamespace(namespace: string[]): void {
  if (namespace.length === 0) {
    throw new InputError('An Iceberg namespace needs at least one level');
  }
  namespace.forEach(level => assertValidName('namespace', level));
}

/** Validates a table identifier. */
export function assertValidIdentifier(
  identifier: IcebergTableIdentifier,
): void {
  assertValidNamespace(identifier.namespace);
  assertValidName('table', identifier.name);
}

/**
 * The namespace as stored in the catalog tables: levels joined by '.', as
 * Iceberg's JDBC catalog does.
 */
export function namespaceKey(namespace: string[]): string {
  return namespace.join('.');
}

/** Inverse of {@link namespaceKey}. */
export function parseNamespaceKey(key: string): string[] {
  return key.split('.');
}

/** `ns1.ns2.table`, for messages. */
export function formatIdentifier(identifier: IcebergTableIdentifier): string {
  return [...identifier.namespace, identifier.name].join('.');
}
