/**
 * Keys that hold secrets. A spec is stored in git and shown to every reader of the pipeline,
 * so secrets never go in it: a source names a `connection` instead, whose secrets the
 * backend stores encrypted.
 * @public
 */
export const SECRET_KEY_PATTERN =
  /pass(?:word|wd)|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential/i;

/** True when a key looks like it holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/** What to do instead of writing a secret into the spec. */
export function inlineSecretMessage(key: string): string {
  return `\`${key}\` looks like an inline credential, which a spec may never contain: store the secret in a connection of your organization and refer to it with \`connection: <name>\``;
}
