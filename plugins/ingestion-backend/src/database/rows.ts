/** Conversions between database values and API values, shared by the stores. */
import { types as pgTypes } from 'pg';

/** `Date.prototype.toISOString`'s format (years 0 to 9999). */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A timestamp column as an ISO string: PostgreSQL returns Dates (or, with
 * {@link TIMESTAMPS_AS_ISO}, ISO strings already), SQLite epoch milliseconds.
 */
export function toIso(value: Date | number | string): string {
  if (typeof value === 'string' && ISO_UTC.test(value)) {
    return value;
  }
  return new Date(value).toISOString();
}

const TIMESTAMPTZ_OID = 1184;
/** PostgreSQL's text output of a `timestamptz` in a UTC session: `2026-12-07 15:02:22.31+00`. */
const PG_TIMESTAMPTZ_UTC =
  /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * A `timestamptz` value straight to the ISO string the API returns, without a `Date` in
 * between: the same text as `toISOString()` of the driver's Date (milliseconds truncated, as the
 * driver does). Other offsets, infinities and years past 9999 fall back to the driver's parser.
 */
export function pgTimestamptzToIso(text: string): string | Date | number {
  const match = PG_TIMESTAMPTZ_UTC.exec(text);
  if (!match) {
    return pgTypes.getTypeParser(TIMESTAMPTZ_OID, 'text')(text);
  }
  const fraction = match[3] ?? '';
  return `${match[1]}T${match[2]}.${`${fraction}000`.slice(0, 3)}Z`;
}

/**
 * Query options (knex `.options(…)`, passed to the pg driver; other drivers ignore them) for
 * lists that turn many timestamps into API strings: a `timestamptz` arrives as its ISO string,
 * which {@link toIso} returns as it is. Parsing each into a Date and formatting it again was
 * ~7-10 % of a page of 50 pipelines or runs (see bench/README.md, issue 17).
 */
export const TIMESTAMPS_AS_ISO = {
  types: {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === TIMESTAMPTZ_OID && format !== 'binary') {
        return pgTimestamptzToIso;
      }
      return pgTypes.getTypeParser(oid, format);
    },
  },
};

export function toOptionalIso(
  value: Date | number | string | null | undefined,
): string | undefined {
  return value === null || value === undefined ? undefined : toIso(value);
}

/** A bigint column as a number: PostgreSQL returns bigints as strings. */
export function toOptionalNumber(
  value: number | string | null | undefined,
): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

export function toOptionalString(
  value: string | null | undefined,
): string | undefined {
  return value === null || value === undefined ? undefined : value;
}

/** Epoch milliseconds of a timestamp column, for keyset cursors. */
export function toEpochMs(value: Date | number | string): number {
  return new Date(value).getTime();
}
