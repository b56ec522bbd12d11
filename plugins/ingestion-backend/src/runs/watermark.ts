import type { PipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';

/** What a cursor column holds, as far as a watermark has to match it. */
export type CursorKind = 'integer' | 'decimal' | 'timestamp' | 'date' | 'text';

/** The cursor column of an incremental pipeline, if it is one. */
export function cursorColumnOf(spec: PipelineSpec): string | undefined {
  const { source } = spec;
  return 'incremental_column' in source ? source.incremental_column : undefined;
}

/** The kind of a column type as Iceberg, DuckDB or Spark name it (`long`, `BIGINT`, `timestamptz`). */
export function cursorKindOfType(type: unknown): CursorKind | undefined {
  if (typeof type !== 'string') return undefined;
  const name = type.trim().toLowerCase();
  if (
    /^(u?(tiny|small|big|huge)?int(eger)?|long|short|byte|int[248])$/.test(name)
  ) {
    return 'integer';
  }
  if (/^(decimal|numeric)\b|^(double|float|real)$/.test(name)) return 'decimal';
  if (name === 'date') return 'date';
  if (/^timestamp|^datetime$/.test(name)) return 'timestamp';
  if (/^(string|varchar|text|char|character varying)\b/.test(name)) {
    return 'text';
  }
  return undefined;
}

/** The type of `column` in a recorded table schema (`{ fields: [{ name, type }] }`), if it has it. */
export function columnTypeInSchema(
  schema: Record<string, unknown> | undefined,
  column: string,
): unknown {
  const fields = Array.isArray(schema?.fields) ? schema.fields : [];
  const field = fields.find(
    (f): f is { name: string; type: unknown } =>
      typeof f === 'object' &&
      f !== null &&
      typeof (f as { name?: unknown }).name === 'string' &&
      (f as { name: string }).name.toLowerCase() === column.toLowerCase(),
  );
  return field?.type;
}

const INTEGER = /^[+-]?\d{1,20}$/;
const DECIMAL = /^[+-]?\d{1,38}(\.\d{1,38})?$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

/** `date` (no time) or `date-time`, if `value` is an ISO 8601 date or date-time that exists. */
function isoKind(value: string): 'date' | 'timestamp' | undefined {
  const match = DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, zoneHours, zoneMinutes] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59)) return undefined;
  if (s !== undefined && Number(s) > 59) return undefined;
  if (Number(zoneHours ?? 0) > 18 || Number(zoneMinutes ?? 0) > 59) {
    return undefined;
  }
  return h === undefined ? 'date' : 'timestamp';
}

/** The kind a recorded watermark shows, e.g. `42` or `2026-11-23 23:59:00`. */
export function cursorKindOfValue(value: string): CursorKind | undefined {
  if (INTEGER.test(value)) return 'integer';
  if (DECIMAL.test(value)) return 'decimal';
  return isoKind(value);
}

const EXAMPLES: Record<CursorKind, string> = {
  integer: 'an integer such as 1024',
  decimal: 'a number such as 1024.5',
  timestamp: 'an ISO 8601 date-time such as 2026-11-23T00:00:00Z',
  date: 'an ISO 8601 date such as 2026-11-23',
  text: 'text without control characters',
};

/**
 * Why `value` cannot be the watermark of a cursor column of this kind, or undefined when it
 * can. With the kind unknown (no run recorded a table or a mark yet), an integer or an ISO 8601
 * date or date-time is accepted: what cursor columns hold.
 */
export function watermarkProblem(
  value: string,
  column: string,
  kind: CursorKind | undefined,
): string | undefined {
  const shown = `\`${value.length > 60 ? `${value.slice(0, 60)}…` : value}\``;
  // eslint-disable-next-line no-control-regex
  if (value.trim() === '' || /[\u0000-\u001f\u007f]/.test(value)) {
    return 'a watermark must not be empty or contain control characters';
  }
  const fits: Record<CursorKind, (v: string) => boolean> = {
    integer: v => INTEGER.test(v),
    decimal: v => DECIMAL.test(v),
    // A date is midnight of that day, which both engines cast to a timestamp.
    timestamp: v => isoKind(v) !== undefined,
    date: v => isoKind(v) === 'date',
    text: () => true,
  };
  if (kind === undefined) {
    return INTEGER.test(value) || isoKind(value)
      ? undefined
      : `${shown} is neither an integer nor an ISO 8601 date or date-time, which the cursor column \`${column}\` could hold (its type is not known before a run records it)`;
  }
  return fits[kind](value)
    ? undefined
    : `${shown} does not fit the cursor column \`${column}\` (${kind}): write ${EXAMPLES[kind]}`;
}
