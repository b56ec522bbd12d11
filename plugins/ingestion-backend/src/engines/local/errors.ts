/**
 * Errors of the local engine. `retryable` tells the run driver whether trying again could help
 * (a database that was briefly unreachable) or not (a spec the engine cannot run).
 */
export class LocalEngineError extends Error {
  readonly retryable: boolean;

  constructor(message: string, options: { retryable?: boolean } = {}) {
    super(message);
    this.name = 'LocalEngineError';
    this.retryable = options.retryable ?? false;
  }
}

/** The run was cancelled; thrown between steps. */
export class RunCancelledError extends Error {
  constructor() {
    super('The run was cancelled');
    this.name = 'RunCancelledError';
  }
}

/** Network and I/O error codes worth a retry. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
]);

/** Whether an error from a driver or the file system is probably transient. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof LocalEngineError) {
    return error.retryable;
  }
  const e = error as { code?: unknown; name?: unknown; $retryable?: unknown };
  if (typeof e?.code === 'string' && TRANSIENT_CODES.has(e.code)) {
    return true;
  }
  if (typeof e?.name === 'string' && TRANSIENT_CODES.has(e.name)) {
    return true;
  }
  return Boolean(e?.$retryable);
}

/**
 * A message that is safe to show and store: the first line of the error, with every secret (and
 * its URL-encoded form) masked in case a driver echoes it.
 */
export function safeMessage(error: unknown, secrets: Iterable<string> = []) {
  const e = error as { code?: unknown; message?: unknown };
  let message =
    typeof e?.message === 'string' && e.message.trim()
      ? e.message.trim()
      : String(error);
  if (message.length > 2000) {
    message = `${message.slice(0, 2000)}…`;
  }
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      if (form.length > 0) {
        message = message.split(form).join('***');
      }
    }
  }
  const code = typeof e?.code === 'string' ? e.code : undefined;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
