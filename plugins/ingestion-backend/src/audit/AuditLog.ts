import type {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import type { Knex } from 'knex';
import type { AuditStore } from './AuditStore';
import { sanitizeMeta } from './sanitizeMeta';
import type { AuditOutcome, AuditRecord } from './types';

/** Actions on credentials and permissions: `high` severity even when they succeed. */
const PERMISSION_RELEVANT = /^(connection|role|permission|secret)s?\./;

/** The audit log's actor of a request: a user entity ref or `service:<subject>`, lower case. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef.toLocaleLowerCase('en-US');
  }
  if (principal.type === 'service' && principal.subject) {
    return `service:${principal.subject}`.toLocaleLowerCase('en-US');
  }
  return principal.type ?? 'unknown';
}

/** The service acting on a user's behalf (a scaffolder action, the catalog module), if any. */
function onBehalfOf(
  credentials: BackstageCredentials | undefined,
): string | undefined {
  const actor = (
    credentials?.principal as { actor?: { subject?: string } } | undefined
  )?.actor;
  return actor?.subject ? `service:${actor.subject}` : undefined;
}

/** `pipeline.create` → `pipeline-create`: the auditor's kebab-case event id. */
export function auditorEventId(action: string): string {
  return (
    action
      .toLocaleLowerCase('en-US')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'event'
  );
}

function cut(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

function severityOf(record: AuditRecord): AuditorServiceEventSeverityLevel {
  if (record.severityLevel) {
    return record.severityLevel;
  }
  if (record.outcome === 'denied' || PERMISSION_RELEVANT.test(record.action)) {
    return 'high';
  }
  return 'medium';
}

/**
 * The audit log: every mutation and every denial, written to the plugin's database (for
 * `GET /v1/audit`) and emitted through Backstage's `AuditorService` (for the portal's audit
 * pipeline: log shipping, SIEM).
 *
 * `record()` never throws: when the database write fails, the event is still emitted through the
 * auditor (with `stored: false`) and the failure is logged, so an audit hiccup does not turn a
 * completed mutation into an error. To make the audit row part of the mutation instead, pass the
 * mutation's transaction: the row is then written in it (a failure rolls the mutation back) and
 * the auditor event is emitted once it commits.
 */
export class AuditLog {
  static create(options: {
    store: AuditStore;
    auditor: AuditorService;
    logger: LoggerService;
    clock?: () => Date;
  }): AuditLog {
    return new AuditLog(
      options.store,
      options.auditor,
      options.logger,
      options.clock ?? (() => new Date()),
    );
  }

  private constructor(
    private readonly store: AuditStore,
    private readonly auditor: AuditorService,
    private readonly logger: LoggerService,
    private readonly clock: () => Date,
  ) {}

  async record(
    record: AuditRecord,
    options?: { transaction?: Knex.Transaction },
  ): Promise<void> {
    const actor = cut(
      (
        record.actor ??
        (record.credentials ? actorOf(record.credentials) : 'unknown')
      ).toLocaleLowerCase('en-US'),
      255,
    );
    const via = onBehalfOf(record.credentials);
    const meta = sanitizeMeta(
      via ? { ...record.meta, onBehalfOf: via } : record.meta,
    );
    const reason =
      record.reason === undefined ? undefined : cut(record.reason, 2000);
    const event = {
      organizationId: cut(record.organizationId, 64),
      actor,
      action: cut(record.action, 64),
      targetType: cut(record.targetType, 32),
      ...(record.targetId !== undefined
        ? { targetId: cut(record.targetId, 255) }
        : {}),
      outcome: record.outcome,
      ...(reason !== undefined ? { reason } : {}),
      ...(meta ? { meta } : {}),
      at: this.clock(),
    };

    const transaction = options?.transaction;
    if (transaction) {
      const id = await this.store.insert(event, transaction);
      transaction.executionPromise.then(
        () => this.emit(record, event, { id }),
        () => undefined, // rolled back: nothing happened, nothing to report
      );
      return;
    }

    let stored: JsonObject;
    if (record.persist === false) {
      stored = { stored: false };
    } else {
      try {
        stored = { id: await this.store.insert(event) };
      } catch (error) {
        stored = { stored: false };
        this.logger.error(
          `Could not store audit event ${event.action} (${
            event.outcome
          }) by ${actor} in organization '${event.organizationId}': ${
            isError(error) ? error.message : String(error)
          }`,
        );
      }
    }
    await this.emit(record, event, stored);
  }

  /**
   * Runs a mutation and records its outcome: success (with `metaOf(result)` and, when given,
   * `targetIdOf(result)` for ids known only afterwards) or failure (with the error's message), then
   * returns its result or rethrows its error. Denials the {@link IngestionAuthorizer} already
   * recorded are not recorded twice.
   */
  async track<T>(
    record: Omit<AuditRecord, 'outcome' | 'reason'>,
    mutation: () => Promise<T>,
    options?: {
      metaOf?: (result: T) => Record<string, unknown>;
      targetIdOf?: (result: T) => string | undefined;
    },
  ): Promise<T> {
    let result: T;
    try {
      result = await mutation();
    } catch (error) {
      if (!isAuditedDenial(error)) {
        await this.record({
          ...record,
          outcome: isDenialError(error) ? 'denied' : 'failure',
          reason: isError(error) ? error.message : String(error),
        });
      }
      throw error;
    }
    const targetId = options?.targetIdOf?.(result) ?? record.targetId;
    await this.record({
      ...record,
      ...(targetId !== undefined ? { targetId } : {}),
      outcome: 'success',
      meta: { ...record.meta, ...options?.metaOf?.(result) },
    });
    return result;
  }

  private async emit(
    record: AuditRecord,
    event: {
      organizationId: string;
      actor: string;
      action: string;
      targetType: string;
      targetId?: string;
      outcome: AuditOutcome;
      reason?: string;
      meta?: JsonObject;
    },
    stored: JsonObject,
  ): Promise<void> {
    try {
      const auditorEvent = await this.auditor.createEvent({
        eventId: auditorEventId(event.action),
        severityLevel: severityOf(record),
        request: record.request,
        meta: {
          organization: event.organizationId,
          actor: event.actor,
          action: event.action,
          targetType: event.targetType,
          ...(event.targetId !== undefined ? { targetId: event.targetId } : {}),
          outcome: event.outcome,
          ...(event.meta ? { details: event.meta } : {}),
          ...stored,
        },
      });
      if (event.outcome === 'success') {
        await auditorEvent.success();
      } else {
        const error = new Error(event.reason ?? event.outcome);
        error.name = event.outcome === 'denied' ? 'AccessDenied' : 'Failure';
        await auditorEvent.fail({ error });
      }
    } catch (error) {
      this.logger.warn(
        `Could not emit audit event ${event.action} through the auditor: ${
          isError(error) ? error.message : String(error)
        }`,
      );
    }
  }
}

const AUDITED = Symbol.for('ingestion.audit.recorded-denial');

/** Marks an error whose denial is already in the audit log, so wrappers do not record it again. */
export function markAuditedDenial<E extends object>(error: E): E {
  Object.defineProperty(error, AUDITED, { value: true, enumerable: false });
  return error;
}

/** Whether an error refuses access (403, or 404 for what the caller may not see). */
export function isDenialError(error: unknown): boolean {
  return (
    isError(error) &&
    (error.name === 'NotAllowedError' || error.name === 'NotFoundError')
  );
}

/** Whether the authorizer already recorded this denial (see {@link markAuditedDenial}). */
export function isAuditedDenial(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[AUDITED] === true
  );
}
