/** Longest value quoted in a message before it is cut. */
const MAX_QUOTED_LENGTH = 60;

/** A value as it appears in a message: `value`, shortened when long. */
export function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown =
    text !== undefined && text.length > MAX_QUOTED_LENGTH
      ? `${text.slice(0, MAX_QUOTED_LENGTH)}…`
      : text;
  return `\`${shown}\``;
}

/** `a`, `a or b`, `a, b or c`. */
export function oneOf(values: readonly unknown[]): string {
  const items = values.map(value => String(value));
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
