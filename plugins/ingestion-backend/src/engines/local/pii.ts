import type { DuckDBConnection } from '@duckdb/node-api';
import { Column, quoteIdentifier } from './sql';

/**
 * A simple PII detector, per the brief's governance policy (`pii_detection.patterns`: social
 * security numbers, credit card numbers, email addresses, phone numbers): a column is flagged
 * when its name says so, or when at least half of a sample of its text values look like one of
 * them (card numbers must pass the Luhn check).
 */

const NAME_PATTERNS = [
  /e_?mail/,
  /phone|mobile|msisdn/,
  /(^|_)ssn($|_)|social_?security/,
  /credit_?card|card_?number|(^|_)cc_?(num|number)($|_)|(^|_)pan($|_)/,
];

const SAMPLE_ROWS = 200;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Which kind of personal data a value looks like, if any. */
export function piiKind(value: string): string | undefined {
  const text = value.trim();
  if (/^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/.test(text)) return 'email';
  if (/^\d{3}-\d{2}-\d{4}$/.test(text)) return 'ssn';
  if (/^[\d -]{13,23}$/.test(text)) {
    const digits = text.replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) {
      return 'credit_card';
    }
  }
  if (
    /^\+?[\d\s().-]{7,20}$/.test(text) &&
    /[+\s().-]/.test(text) &&
    text.replace(/\D/g, '').length >= 9
  ) {
    return 'phone';
  }
  return undefined;
}

export function isPiiColumnName(name: string): boolean {
  const lower = name.toLowerCase();
  return NAME_PATTERNS.some(pattern => pattern.test(lower));
}

export async function detectPiiColumns(
  connection: DuckDBConnection,
  relation: string,
  columns: Column[],
): Promise<string[]> {
  const flagged = new Set(
    columns.filter(c => isPiiColumnName(c.name)).map(c => c.name),
  );
  const text = columns.filter(
    c => c.type.toUpperCase().startsWith('VARCHAR') && !flagged.has(c.name),
  );
  if (text.length > 0) {
    const reader = await connection.runAndReadAll(
      `SELECT ${text
        .map(c => quoteIdentifier(c.name))
        .join(', ')} FROM ${relation} LIMIT ${SAMPLE_ROWS}`,
    );
    const rows = reader.getRowsJS();
    text.forEach((column, i) => {
      const values = rows
        .map(row => row[i])
        .filter((v): v is string => typeof v === 'string' && v !== '');
      const matches = values.filter(v => piiKind(v) !== undefined).length;
      if (values.length > 0 && matches * 2 >= values.length) {
        flagged.add(column.name);
      }
    });
  }
  return columns.map(c => c.name).filter(name => flagged.has(name));
}
