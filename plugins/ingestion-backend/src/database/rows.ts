/** Conversions between database values and API values, shared by the stores. */

/** A timestamp column as an ISO string: PostgreSQL returns Dates, SQLite epoch milliseconds. */
export function toIso(value: Date | number | string): string {
  return new Date(value).toISOString();
}

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
