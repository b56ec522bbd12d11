import type {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import { EgressGuard } from '../egress';
import type { ConnectionAuditSink } from './audit';
import { DriverConnectionTester } from './ConnectionTester';
import { ConnectionsService } from './ConnectionsService';
import { readMasterKeyRing } from './crypto/masterKeys';
import { SecretCipher } from './crypto/SecretCipher';
import { KnexConnectionStore } from './store/KnexConnectionStore';

/**
 * The connections capability as the plugin wires it: master keys from config (or the development
 * key), the knex store and the ingestion authorizer. Throws, stopping the backend, when no master
 * key is configured outside development.
 */
export async function createConnectionsService(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  authorizer: IngestionAuthorizer;
  audit?: ConnectionAuditSink;
  /** Where allow-lists are read at each test (organizations change at run time); else config. */
  directory?: NonNullable<
    Parameters<typeof EgressGuard.fromConfig>[1]
  >['directory'];
}): Promise<ConnectionsService> {
  const keyRing = await readMasterKeyRing({
    config: options.config,
    logger: options.logger,
  });
  return ConnectionsService.create({
    store: new KnexConnectionStore(options.knex),
    cipher: new SecretCipher(keyRing),
    authorizer: options.authorizer,
    logger: options.logger,
    audit: options.audit,
    // Connection tests open connections for tenants: the egress guard decides where to.
    tester: new DriverConnectionTester({
      egress: EgressGuard.fromConfig(options.config, {
        directory: options.directory,
      }),
    }),
  });
}

export { ConnectionsService } from './ConnectionsService';
export { createConnectionsRouter } from './router';
export type { ConnectionAuditEvent, ConnectionAuditSink } from './audit';
export type {
  Connection,
  ConnectionTestResult,
  ReencryptResult,
  ResolvedConnection,
} from './types';
