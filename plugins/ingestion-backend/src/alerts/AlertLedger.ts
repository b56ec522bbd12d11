import type { Knex } from 'knex';

/**
 * Inserts a row unless one with the same key exists: true for exactly one caller however many
 * replicas try at once (the unique key decides; losers insert nothing). This is how every alert
 * of the plugin (budgets, runs, quality, freshness) is raised once.
 */
export async function insertOnce(
  knex: Knex,
  table: string,
  row: Record<string, unknown>,
  key: string[],
): Promise<boolean> {
  const inserted = await knex(table)
    .insert(row)
    .onConflict(key)
    .ignore()
    .returning(key[0]);
  // SQLite and PostgreSQL return the inserted rows only.
  return Array.isArray(inserted) ? inserted.length > 0 : Boolean(inserted);
}

/** An alert to claim: its de-duplication key and what it is about. */
export interface AlertClaim {
  /** `kind:subject[:period]`, e.g. `run-failed:<run id>`; at most 255 characters. */
  key: string;
  organizationId: string;
  kind: 'run-failed' | 'run-refused' | 'quality-breach' | 'freshness';
  pipelineId?: string;
  at: Date;
}

/** The `alert_ledger` table: which alerts were raised. */
export class AlertLedger {
  constructor(private readonly knex: Knex) {}

  /** True when this caller raised the alert (and must send it), false when it was raised already. */
  claim(alert: AlertClaim): Promise<boolean> {
    return insertOnce(
      this.knex,
      'alert_ledger',
      {
        alert_key: alert.key,
        organization_id: alert.organizationId,
        kind: alert.kind,
        pipeline_id: alert.pipelineId ?? null,
        raised_at: alert.at,
      },
      ['alert_key'],
    );
  }
}
