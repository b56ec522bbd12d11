import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import { AuditLog } from './AuditLog';
import { AuditService } from './AuditService';
import { DatabaseAuditStore } from './AuditStore';
import { createAuditRouter } from './router';

export {
  AuditLog,
  actorOf,
  auditorEventId,
  isAuditedDenial,
  isDenialError,
  markAuditedDenial,
} from './AuditLog';
export { AuditService } from './AuditService';
export { DatabaseAuditStore } from './AuditStore';
export type { AuditStore, NewAuditEvent } from './AuditStore';
export { recordDenial } from './recordDenial';
export type { DenialAudit } from './recordDenial';
export { createAuditRouter } from './router';
export { isSecretKey, sanitizeMeta } from './sanitizeMeta';
export { AUDIT_OUTCOMES } from './types';
export type {
  AuditEvent,
  AuditListQuery,
  AuditOutcome,
  AuditRecord,
} from './types';

/** The audit log as the plugin creates it: its database store plus the portal's auditor. */
export function createAuditLog(options: {
  knex: Knex;
  auditor: AuditorService;
  logger: LoggerService;
}): AuditLog {
  return AuditLog.create({
    store: new DatabaseAuditStore(options.knex),
    auditor: options.auditor,
    logger: options.logger.child({ component: 'audit' }),
  });
}

/** The `/v1/audit` router, for `createRouter`'s `extraRouters` (`path: '/audit'`). */
export function createAuditApi(options: {
  knex: Knex;
  httpAuth: HttpAuthService;
  authorizer: IngestionAuthorizer;
}) {
  return {
    path: '/audit',
    router: createAuditRouter({
      httpAuth: options.httpAuth,
      audit: AuditService.create({
        store: new DatabaseAuditStore(options.knex),
        authorizer: options.authorizer,
      }),
    }),
  };
}
