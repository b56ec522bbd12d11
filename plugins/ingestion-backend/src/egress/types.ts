/** A connection the guard refused; `reason` is safe to show the tenant. */
export class EgressRefusedError extends Error {
  readonly name = 'EgressRefusedError';

  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
  ) {
    super(`Connections to ${host}:${port} are not allowed: ${reason}`);
  }
}

/** A destination the guard checked: connect to `address`, never to `host` again. */
export interface CheckedDestination {
  /** The host as asked for (normalized), for TLS server names and messages. */
  host: string;
  port: number;
  /** The checked address: the one to connect to. */
  address: string;
  family: 4 | 6;
  /** True when an allow-list entry admitted every address (private or not). */
  allowListed: boolean;
}
