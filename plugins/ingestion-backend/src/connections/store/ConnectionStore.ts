import type { AccessFilter } from '../../database/conditions';
import type { EncryptedSecret } from '../crypto/SecretCipher';
import type { ConnectionSettings, ConnectionType } from '../types';

/** A row of `connections`, mapped. The secret stays encrypted at this layer. */
export interface ConnectionRecord {
  id: string;
  organizationId: string;
  name: string;
  type: ConnectionType;
  settings: ConnectionSettings;
  secret: EncryptedSecret;
  createdBy: string;
  createdAt: Date;
  rotatedAt?: Date;
}

/** Persistence of connections. Every method is scoped to organizations and filters in SQL. */
export interface ConnectionStore {
  /** Inserts a connection; a duplicate name in the organization is a ConflictError. */
  insert(record: ConnectionRecord): Promise<void>;

  /** A page of the connections the access filter allows, by name then id. */
  list(
    filter: AccessFilter,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: ConnectionRecord[]; nextCursor?: string }>;

  /**
   * The organization a connection id belongs to, so the caller can be authorized against it.
   * Only the organization id: the row itself is read through the scoped methods.
   */
  organizationOf(id: string): Promise<string | undefined>;

  get(
    organizationId: string,
    id: string,
  ): Promise<ConnectionRecord | undefined>;

  getByName(
    organizationId: string,
    name: string,
  ): Promise<ConnectionRecord | undefined>;

  /**
   * Replaces the secret of a connection. With `expectedKeyId`, only if the row is still encrypted
   * under that key (so a concurrent rotation wins over a re-encryption pass). Returns whether a row
   * was updated.
   */
  updateSecret(
    organizationId: string,
    id: string,
    secret: EncryptedSecret,
    options: { rotatedAt?: Date; expectedKeyId?: string },
  ): Promise<boolean>;

  /** Returns whether a row was deleted. */
  delete(organizationId: string, id: string): Promise<boolean>;

  /** The connections of an organization not encrypted under `keyId`, a batch at a time. */
  listNotUnderKey(
    organizationId: string,
    keyId: string,
    options: { afterId?: string; limit: number },
  ): Promise<ConnectionRecord[]>;
}
