import type { JsonObject } from '@backstage/types';
import type { Knex } from 'knex';
import { applyAccessFilter, type AccessFilter } from '../database/conditions';
import { openKeyset } from '../database/keyset';
import { toEpochMs, toIso, toOptionalString } from '../database/rows';
import type { AuditEvent, AuditListQuery, AuditOutcome } from './types';

/** A row to insert: already sanitized and cut to the columns' sizes. */
export interface NewAuditEvent {
  organizationId: string;
  actor: string;
  action: string;
  targetType: string;
  targetId?: string;
  outcome: AuditOutcome;
  reason?: string;
  meta?: JsonObject;
  at: Date;
}

/** Where audit events are kept. */
export interface AuditStore {
  /** Inserts one event, in `transaction` when given; returns its id. */
  insert(event: NewAuditEvent, transaction?: Knex.Transaction): Promise<string>;
  /** Newest first, keyset-paginated on (at, id), limited by the access filter in SQL. */
  list(
    filter: AccessFilter,
    query: AuditListQuery,
  ): Promise<{ items: AuditEvent[]; nextCursor?: string }>;
}

type AuditRow = {
  id: number | string;
  organization_id: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  meta: string | null;
  at: Date | number | string;
};

function toEvent(row: AuditRow): AuditEvent {
  const targetId = toOptionalString(row.target_id);
  const reason = toOptionalString(row.reason);
  return {
    id: String(row.id),
    organization: row.organization_id,
    actor: row.actor,
    action: row.action,
    targetType: row.target_type,
    ...(targetId !== undefined ? { targetId } : {}),
    outcome: row.outcome,
    ...(reason !== undefined ? { reason } : {}),
    ...(row.meta ? { meta: JSON.parse(row.meta) as JsonObject } : {}),
    at: toIso(row.at),
  };
}

/** The audit log in the plugin's database (`audit_events`). */
export class DatabaseAuditStore implements AuditStore {
  constructor(private readonly knex: Knex) {}

  async insert(
    event: NewAuditEvent,
    transaction?: Knex.Transaction,
  ): Promise<string> {
    const [inserted] = await (transaction ?? this.knex)('audit_events')
      .insert({
        organization_id: event.organizationId,
        actor: event.actor,
        action: event.action,
        target_type: event.targetType,
        target_id: event.targetId ?? null,
        outcome: event.outcome,
        reason: event.reason ?? null,
        meta: event.meta ? JSON.stringify(event.meta) : null,
        at: event.at,
      })
      .returning('id');
    const id =
      typeof inserted === 'object' && inserted !== null
        ? (inserted as { id: number | string }).id
        : inserted;
    return String(id);
  }

  async list(
    filter: AccessFilter,
    query: AuditListQuery,
  ): Promise<{ items: AuditEvent[]; nextCursor?: string }> {
    const keyset = await openKeyset<AuditRow>(this.knex, {
      list: 'audit',
      scope: {
        filter,
        action: query.action,
        outcome: query.outcome,
        targetType: query.targetType,
        targetId: query.targetId,
        actor: query.actor?.toLocaleLowerCase('en-US'),
        from: query.from?.toISOString(),
        to: query.to?.toISOString(),
      },
      column: 'at',
      order: 'desc',
      valueType: 'timestamp',
      idType: 'integer',
      cursor: query.cursor,
      limit: query.limit,
      valueOf: row => toEpochMs(row.at),
      idOf: row => String(row.id),
    });
    const builder = this.knex<AuditRow>('audit_events as a').select('a.*');
    applyAccessFilter(builder, filter, 'a');
    if (query.action !== undefined) builder.where('a.action', query.action);
    if (query.outcome !== undefined) builder.where('a.outcome', query.outcome);
    if (query.targetType !== undefined) {
      builder.where('a.target_type', query.targetType);
    }
    if (query.targetId !== undefined) {
      builder.where('a.target_id', query.targetId);
    }
    if (query.actor !== undefined) {
      builder.where('a.actor', query.actor.toLocaleLowerCase('en-US'));
    }
    if (query.from !== undefined) builder.where('a.at', '>=', query.from);
    if (query.to !== undefined) builder.where('a.at', '<', query.to);
    keyset.apply(builder, 'a');
    const page = keyset.page((await builder) as AuditRow[]);
    return {
      items: page.rows.map(toEvent),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }
}
