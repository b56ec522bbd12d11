import type { JsonObject, JsonValue } from '@backstage/types';

/** Words that make a key look like it holds a secret (matched on the key's words, any case). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'secrets',
  'token',
  'tokens',
  'credential',
  'credentials',
  'apikey',
  'privatekey',
  'accesskey',
  'authorization',
  'cookie',
  'cookies',
  'sessionid',
  'ciphertext',
  'connectionstring',
]);

const MAX_DEPTH = 6;
const MAX_STRING = 2000;
const MAX_ITEMS = 100;
/** Serialized size above which meta is replaced by a note saying so. */
const MAX_META_JSON = 16_000;

/** `dbPassword` → db, password; `api_key` → api, key; `X-Api-Token` → x, api, token. */
function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLocaleLowerCase('en-US')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a key looks like it holds a secret: one of its words, or two adjacent ones, is. */
export function isSecretKey(key: string): boolean {
  const words = wordsOf(key);
  return words.some(
    (word, i) =>
      SECRET_WORDS.has(word) ||
      (i > 0 && SECRET_WORDS.has(`${words[i - 1]}${word}`)),
  );
}

/** Masks the password of URLs such as `postgres://user:pass@host/db`. */
function maskUrlPasswords(value: string): string {
  return value.replace(
    /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi,
    '$1***@',
  );
}

function clean(
  value: unknown,
  depth: number,
  seen: Set<object>,
): JsonValue | undefined {
  if (value === null) {
    return null;
  }
  switch (typeof value) {
    case 'string': {
      const masked = maskUrlPasswords(value);
      return masked.length > MAX_STRING
        ? `${masked.slice(0, MAX_STRING)}…`
        : masked;
    }
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      // undefined, functions, symbols: not data
      return undefined;
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? null : value.toISOString();
  }
  if (value instanceof Error) {
    return clean(value.message, depth, seen);
  }
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) {
    // Binary data is never useful in an audit log and may be key material.
    return '[binary]';
  }
  if (seen.has(value as object) || depth >= MAX_DEPTH) {
    return '[…]';
  }
  seen.add(value as object);
  try {
    if (Array.isArray(value)) {
      return value
        .slice(0, MAX_ITEMS)
        .map(item => clean(item, depth + 1, seen) ?? null);
    }
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value as object)) {
      if (isSecretKey(key)) {
        continue;
      }
      const cleaned = clean(item, depth + 1, seen);
      if (cleaned !== undefined) {
        result[key] = cleaned;
      }
    }
    return result;
  } finally {
    seen.delete(value as object);
  }
}

/**
 * Audit meta made safe to store and log: JSON only, keys that look like secrets dropped at any
 * depth, passwords in URLs masked, long strings and lists cut, and at most 16 kB in all.
 * Undefined when nothing is left.
 */
export function sanitizeMeta(
  meta: Record<string, unknown> | undefined,
): JsonObject | undefined {
  if (!meta) {
    return undefined;
  }
  const cleaned = clean(meta, 0, new Set()) as JsonObject;
  if (Object.keys(cleaned).length === 0) {
    return undefined;
  }
  if (JSON.stringify(cleaned).length > MAX_META_JSON) {
    return { truncated: true, keys: Object.keys(cleaned).slice(0, 50) };
  }
  return cleaned;
}
