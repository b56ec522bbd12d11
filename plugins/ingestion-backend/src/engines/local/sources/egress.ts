import { connect, isIP, type Socket } from 'node:net';
import { type CheckedDestination, EgressRefusedError } from '../../../egress';
import { LocalEngineError } from '../errors';
import type { SourceContext } from './types';

/** A refusal of the egress guard as a run failure (not retried: the answer will not change). */
export function egressFailure(error: unknown): unknown {
  return error instanceof EgressRefusedError
    ? new LocalEngineError(error.message)
    : error;
}

/**
 * Checks a source's host and port with the organization's egress guard; connect to the
 * answer's `address` (keeping `host` for TLS), never to the host name again.
 */
export async function checkedDestination(
  context: SourceContext,
  host: string | undefined,
  port: number,
  what: string,
): Promise<CheckedDestination> {
  if (!host) {
    throw new LocalEngineError(`${what} has no host`);
  }
  try {
    return await context.egress.check(host, port);
  } catch (error) {
    throw egressFailure(error);
  }
}

/** A TCP socket to the checked address (for drivers that take a stream factory, like mysql2). */
export function socketTo(destination: CheckedDestination): Socket {
  return connect({ host: destination.address, port: destination.port });
}

/** TLS to PostgreSQL: certificates are verified against the host name, not the pinned address. */
export function pgSsl(
  enabled: boolean,
  destination: CheckedDestination,
): { servername: string } | boolean | undefined {
  if (!enabled) return undefined;
  return isIP(destination.host) ? true : { servername: destination.host };
}
