import { csvCell } from '../costs/csv';
import type { AuditEvent } from '../audit';

/** The most rows one CSV export holds; narrow the filters for more. */
export const AUDIT_CSV_MAX_ROWS = 10_000;

const HEADER = [
  'at',
  'organization',
  'actor',
  'action',
  'target_type',
  'target_id',
  'outcome',
  'reason',
  'meta',
];

/**
 * Audit events as CSV (RFC 4180, formula-looking cells neutralised), fetched page by page with
 * the caller's filters until the list ends or {@link AUDIT_CSV_MAX_ROWS} rows; a cut-off export
 * ends with a `# truncated` line so nobody mistakes it for the whole log.
 */
export async function auditEventsCsv(
  fetchPage: (
    cursor?: string,
  ) => Promise<{ items: AuditEvent[]; nextCursor?: string }>,
): Promise<string> {
  const lines = [HEADER.join(',')];
  let cursor: string | undefined;
  let rows = 0;
  do {
    const page = await fetchPage(cursor);
    for (const event of page.items) {
      if (rows === AUDIT_CSV_MAX_ROWS) {
        lines.push(`# truncated after ${AUDIT_CSV_MAX_ROWS} events`);
        return `${lines.join('\r\n')}\r\n`;
      }
      lines.push(
        [
          event.at,
          event.organization,
          event.actor,
          event.action,
          event.targetType,
          event.targetId,
          event.outcome,
          event.reason,
          event.meta ? JSON.stringify(event.meta) : undefined,
        ]
          .map(csvCell)
          .join(','),
      );
      rows += 1;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return `${lines.join('\r\n')}\r\n`;
}
