import type { ChargebackBreakdown } from '@ingestion-for-backstage/plugin-ingestion-common';

/** RFC 4180 quoting; a leading formula character is neutralised so spreadsheets never run it. */
export function csvCell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A chargeback by cost center or team as CSV: one line per key and service, then a `TOTAL` line
 * whose amount is the statement's total (the sum of the month's records).
 */
export function breakdownCsv(statement: ChargebackBreakdown): string {
  const header = [
    'organization',
    'month',
    statement.by === 'team' ? 'team' : 'cost_center',
    'service_type',
    'amount',
    'currency',
  ];
  const rows: Array<Array<string | number | undefined>> = statement.lines.map(
    line => [
      statement.organization,
      statement.month,
      line.key,
      line.serviceType,
      line.amount,
      statement.currency,
    ],
  );
  rows.push([
    statement.organization,
    statement.month,
    'TOTAL',
    '',
    statement.total,
    statement.currency,
  ]);
  return `${[header, ...rows]
    .map(row => row.map(csvCell).join(','))
    .join('\r\n')}\r\n`;
}
