import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { isError, NotFoundError } from '@backstage/errors';
import {
  connectionManagePermission,
  connectionReadPermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { randomUUID } from 'node:crypto';
import {
  isAuditedDenial,
  isDenialError,
  markAuditedDenial,
} from '../audit/AuditLog';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import {
  actorOf,
  type ConnectionAuditAction,
  type ConnectionAuditSink,
} from './audit';
import type { ConnectionTester } from './ConnectionTester';
import { DriverConnectionTester } from './ConnectionTester';
import { SecretCipher, SecretDecryptionError } from './crypto/SecretCipher';
import type { CreateConnectionRequest } from './schema';
import type {
  ConnectionRecord,
  ConnectionStore,
} from './store/ConnectionStore';
import type {
  Connection,
  ConnectionTestResult,
  ReencryptResult,
  ResolvedConnection,
} from './types';

const REENCRYPT_BATCH = 100;

function toConnection(record: ConnectionRecord): Connection {
  return {
    id: record.id,
    organization: record.organizationId,
    name: record.name,
    type: record.type,
    settings: record.settings,
    hasSecret: true,
    keyId: record.secret.keyId,
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    ...(record.rotatedAt ? { rotatedAt: record.rotatedAt.toISOString() } : {}),
  };
}

function connectionNotFound(id: string): NotFoundError {
  return new NotFoundError(`Connection '${id}' not found`);
}

/**
 * Organization-scoped source credentials. Secrets are encrypted before they reach the store and
 * are never returned, logged or put in an error: only {@link ConnectionsService.resolveConnection},
 * which engines call in-process, decrypts them for use.
 */
export class ConnectionsService {
  static create(options: {
    store: ConnectionStore;
    cipher: SecretCipher;
    authorizer: IngestionAuthorizer;
    logger: LoggerService;
    tester?: ConnectionTester;
    audit?: ConnectionAuditSink;
  }): ConnectionsService {
    return new ConnectionsService(
      options.store,
      options.cipher,
      options.authorizer,
      options.logger,
      options.tester ?? new DriverConnectionTester(),
      options.audit,
    );
  }

  private constructor(
    private readonly store: ConnectionStore,
    private readonly cipher: SecretCipher,
    private readonly authorizer: IngestionAuthorizer,
    private readonly logger: LoggerService,
    private readonly tester: ConnectionTester,
    private readonly auditSink: ConnectionAuditSink | undefined,
  ) {}

  /** The connections the caller may read (connectionRead), optionally in one organization. */
  async list(
    credentials: BackstageCredentials,
    query: { organization?: string; cursor?: string; limit: number },
  ): Promise<{ items: Connection[]; nextCursor?: string }> {
    const filter = await this.authorizer.accessFilter(
      credentials,
      connectionReadPermission,
      query.organization,
    );
    const page = await this.store.list(filter, {
      cursor: query.cursor,
      limit: query.limit,
    });
    return {
      items: page.items.map(toConnection),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  async get(
    credentials: BackstageCredentials,
    id: string,
  ): Promise<Connection> {
    const record = await this.locate(credentials, id, 'read');
    return toConnection(record);
  }

  async create(
    credentials: BackstageCredentials,
    request: CreateConnectionRequest,
  ): Promise<Connection> {
    const { organization, name, type, password, ...settings } = request;
    const id = randomUUID();
    return this.audited(
      credentials,
      'connection.create',
      organization,
      id,
      async () => {
        await this.authorizer.authorizeOrganization(
          credentials,
          connectionManagePermission,
          organization,
        );
        const record: ConnectionRecord = {
          id,
          organizationId: organization,
          name,
          type,
          settings,
          secret: this.cipher.encrypt(password, {
            organizationId: organization,
            connectionId: id,
          }),
          createdBy: actorOf(credentials),
          createdAt: new Date(),
        };
        await this.store.insert(record);
        this.logger.info(
          `Created connection '${name}' (${type}, ${id}) in organization '${organization}'`,
        );
        return toConnection(record);
      },
      () => ({ name, type }),
    );
  }

  /** Replaces the secret; it is encrypted under the current master key. */
  async rotate(
    credentials: BackstageCredentials,
    id: string,
    request: { password: string },
  ): Promise<Connection> {
    const record = await this.locateAudited(
      credentials,
      id,
      'connection.rotate',
    );
    return this.audited(
      credentials,
      'connection.rotate',
      record.organizationId,
      id,
      async () => {
        const secret = this.cipher.encrypt(request.password, {
          organizationId: record.organizationId,
          connectionId: id,
        });
        const rotatedAt = new Date();
        if (
          !(await this.store.updateSecret(record.organizationId, id, secret, {
            rotatedAt,
          }))
        ) {
          throw connectionNotFound(id);
        }
        this.logger.info(
          `Rotated the secret of connection '${record.name}' (${id}) in organization '${record.organizationId}'`,
        );
        return toConnection({ ...record, secret, rotatedAt });
      },
      () => ({ name: record.name, type: record.type }),
    );
  }

  /** Really connects to the source (MySQL, MariaDB, PostgreSQL) and reports; admins only. */
  async test(
    credentials: BackstageCredentials,
    id: string,
  ): Promise<ConnectionTestResult> {
    const record = await this.locateAudited(credentials, id, 'connection.test');
    return this.audited(
      credentials,
      'connection.test',
      record.organizationId,
      id,
      async () => {
        let resolved: ResolvedConnection;
        try {
          resolved = this.decrypt(record);
        } catch (error) {
          if (error instanceof SecretDecryptionError) {
            return {
              ok: false,
              testable: true,
              message: `${error.message}; rotate its secret`,
              latencyMs: 0,
            };
          }
          throw error;
        }
        const result = await this.tester.test(resolved);
        this.logger.info(
          `Tested connection '${record.name}' (${id}) in organization '${
            record.organizationId
          }': ${result.ok ? 'ok' : 'failed'}`,
        );
        return result;
      },
      result => ({ ok: result.ok, latencyMs: result.latencyMs }),
    );
  }

  async delete(credentials: BackstageCredentials, id: string): Promise<void> {
    const record = await this.locateAudited(
      credentials,
      id,
      'connection.delete',
    );
    await this.audited(
      credentials,
      'connection.delete',
      record.organizationId,
      id,
      async () => {
        if (!(await this.store.delete(record.organizationId, id))) {
          throw connectionNotFound(id);
        }
        this.logger.info(
          `Deleted connection '${record.name}' (${id}) in organization '${record.organizationId}'`,
        );
      },
      () => ({ name: record.name, type: record.type }),
    );
  }

  /** Moves every secret of an organization to the current master key; admins only. */
  async reencrypt(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<ReencryptResult> {
    return this.audited(
      credentials,
      'connection.reencrypt',
      organizationId,
      undefined,
      async () => {
        await this.authorizer.authorizeOrganization(
          credentials,
          connectionManagePermission,
          organizationId,
        );
        return this.reencryptOrganization(organizationId);
      },
      result => ({
        keyId: result.keyId,
        reencrypted: result.reencrypted,
        failed: result.failed.length,
      }),
    );
  }

  /**
   * The re-encryption pass without a caller (for operators' tooling and startup jobs): every row of
   * the organization not under the current key is decrypted with its own key and encrypted again.
   * A row rotated concurrently is left alone (it is already under the current key).
   */
  async reencryptOrganization(
    organizationId: string,
  ): Promise<ReencryptResult> {
    const keyId = this.cipher.currentKeyId;
    const result: ReencryptResult = {
      organization: organizationId,
      keyId,
      reencrypted: 0,
      unchanged: 0,
      failed: [],
    };
    let afterId: string | undefined;
    for (;;) {
      const batch = await this.store.listNotUnderKey(organizationId, keyId, {
        afterId,
        limit: REENCRYPT_BATCH,
      });
      for (const record of batch) {
        const binding = { organizationId, connectionId: record.id };
        let password: string;
        try {
          password = this.cipher.decrypt(record.secret, binding);
        } catch (error) {
          result.failed.push(record.id);
          this.logger.warn(
            `Could not re-encrypt connection ${record.id}: ${
              isError(error) ? error.message : 'unknown error'
            }`,
          );
          continue;
        }
        const moved = await this.store.updateSecret(
          organizationId,
          record.id,
          this.cipher.encrypt(password, binding),
          { expectedKeyId: record.secret.keyId },
        );
        if (moved) {
          result.reencrypted += 1;
        } else {
          result.unchanged += 1;
        }
      }
      if (batch.length < REENCRYPT_BATCH) {
        break;
      }
      afterId = batch[batch.length - 1].id;
    }
    this.logger.info(
      `Re-encrypted ${
        result.reencrypted
      } connection secret(s) of organization '${organizationId}' under master key '${keyId}'${
        result.failed.length ? `; ${result.failed.length} failed` : ''
      }`,
    );
    return result;
  }

  /**
   * For engines, in-process only (never over HTTP): the type, settings and decrypted secret of the
   * organization's connection with this name. The caller is responsible for having authorized the
   * pipeline run that needs it.
   */
  async resolveConnection(
    organizationId: string,
    name: string,
  ): Promise<ResolvedConnection> {
    const record = await this.store.getByName(organizationId, name);
    if (!record) {
      throw new NotFoundError(
        `Connection '${name}' not found in organization '${organizationId}'`,
      );
    }
    return this.decrypt(record);
  }

  private decrypt(record: ConnectionRecord): ResolvedConnection {
    return {
      id: record.id,
      organization: record.organizationId,
      name: record.name,
      type: record.type,
      settings: record.settings,
      password: this.cipher.decrypt(record.secret, {
        organizationId: record.organizationId,
        connectionId: record.id,
      }),
    };
  }

  /**
   * A connection by id, after authorizing `access` against its organization. A connection that does
   * not exist and one of an organization the caller is not a member of are the same 404; a member
   * without the right gets a 403.
   */
  private async locate(
    credentials: BackstageCredentials,
    id: string,
    access: 'read' | 'manage',
  ): Promise<ConnectionRecord> {
    const organizationId = await this.store.organizationOf(id);
    if (!organizationId) {
      throw connectionNotFound(id);
    }
    try {
      await this.authorizer.authorizeOrganization(
        credentials,
        access === 'read'
          ? connectionReadPermission
          : connectionManagePermission,
        organizationId,
      );
    } catch (error) {
      if (isError(error) && error.name === 'NotFoundError') {
        // Same 404 as a missing connection; keep the authorizer's "already audited" mark.
        const notFound = connectionNotFound(id);
        throw isAuditedDenial(error) ? markAuditedDenial(notFound) : notFound;
      }
      throw error;
    }
    const record = await this.store.get(organizationId, id);
    if (!record) {
      throw connectionNotFound(id);
    }
    return record;
  }

  /** {@link locate} for `manage`, recording a denial in the organization's audit log. */
  private async locateAudited(
    credentials: BackstageCredentials,
    id: string,
    action: ConnectionAuditAction,
  ): Promise<ConnectionRecord> {
    try {
      return await this.locate(credentials, id, 'manage');
    } catch (error) {
      if (isDenialError(error) && !isAuditedDenial(error)) {
        const organizationId = await this.store.organizationOf(id);
        if (organizationId) {
          await this.audit(credentials, action, organizationId, id, {
            outcome: 'denied',
            reason: isError(error) ? error.message : undefined,
          });
        }
      }
      throw error;
    }
  }

  /** Runs a mutation and records its outcome: success, denied or failure. */
  private async audited<T>(
    credentials: BackstageCredentials,
    action: ConnectionAuditAction,
    organizationId: string,
    targetId: string | undefined,
    mutation: () => Promise<T>,
    metaOf?: (result: T) => Record<string, unknown>,
  ): Promise<T> {
    let result: T;
    try {
      result = await mutation();
    } catch (error) {
      // The authorizer records the denials it raises itself.
      if (!isAuditedDenial(error)) {
        await this.audit(credentials, action, organizationId, targetId, {
          outcome: isDenialError(error) ? 'denied' : 'failure',
          reason: isError(error) ? error.message : undefined,
        });
      }
      throw error;
    }
    await this.audit(credentials, action, organizationId, targetId, {
      outcome: 'success',
      meta: metaOf?.(result),
    });
    return result;
  }

  /** The one place connection events leave for the audit log. */
  private async audit(
    credentials: BackstageCredentials,
    action: ConnectionAuditAction,
    organizationId: string,
    targetId: string | undefined,
    outcome: Pick<
      Parameters<ConnectionAuditSink>[0],
      'outcome' | 'reason' | 'meta'
    >,
  ): Promise<void> {
    const event = {
      organizationId,
      actor: actorOf(credentials),
      action,
      targetType: 'connection' as const,
      ...(targetId ? { targetId } : {}),
      ...outcome,
    };
    if (!this.auditSink) {
      this.logger.debug(
        `audit ${event.action} ${event.outcome} by ${
          event.actor
        } in '${organizationId}'${targetId ? ` on ${targetId}` : ''}`,
      );
      return;
    }
    try {
      await this.auditSink(event);
    } catch (error) {
      this.logger.error(
        `Could not write audit event ${action} for organization '${organizationId}': ${
          isError(error) ? error.message : 'unknown error'
        }`,
      );
      throw error;
    }
  }
}
