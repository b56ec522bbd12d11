import { createGuardedFetch } from './guardedFetch';
import { createGuardedAgents } from './nodeAgents';
import type { CheckedDestination } from './types';

/** The egress guard as seen by one organization's code paths. */
export class OrganizationEgress {
  constructor(
    readonly organizationId: string,
    private readonly checker: (
      host: string,
      port: number,
    ) => Promise<CheckedDestination>,
  ) {}

  #fetch?: typeof globalThis.fetch;

  /** Resolves and checks a destination; connect to the answer's `address`. */
  check(host: string, port: number): Promise<CheckedDestination> {
    return this.checker(host, port);
  }

  /** `fetch` whose connections and redirects pass the guard (see guardedFetch.ts). */
  get fetch(): typeof globalThis.fetch {
    this.#fetch ??= createGuardedFetch((host, port) => this.check(host, port));
    return this.#fetch;
  }

  /**
   * New Node HTTP(S) agents whose sockets pass the guard, for clients that take agents (the
   * AWS SDK); new ones each time, since such clients destroy their agents when they close.
   */
  createAgents(): ReturnType<typeof createGuardedAgents> {
    return createGuardedAgents((host, port) => this.check(host, port));
  }
}
