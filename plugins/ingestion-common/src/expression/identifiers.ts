/**
 * Names of columns, tables, schemas and catalogs: a letter or `_`, then letters, digits or
 * `_`, at most 128 characters. Every engine accepts these unquoted or quoted alike, so a name
 * that passes can never change the meaning of the SQL it is rendered into.
 * @public
 */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Explains the identifier rule; used by both expression and spec messages. */
export const IDENTIFIER_RULE =
  'use letters, digits and _, starting with a letter or _ (at most 128 characters)';

/**
 * True when `name` is a safe identifier (see {@link IDENTIFIER_PATTERN}).
 * @public
 */
export function isSafeIdentifier(name: string): boolean {
  return IDENTIFIER_PATTERN.test(name);
}
