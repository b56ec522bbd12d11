import type { Config } from '@backstage/config';
import { promises as dns } from 'node:dns';
import { networkInterfaces } from 'node:os';
import { classifyAddress, type IpAddress, parseAddress } from './addresses';
import {
  type EgressAllowRule,
  normalizeHost,
  parseAllowRule,
  readEgressAllowList,
  ruleMatches,
} from './allowList';
import { databaseEndpoints, type Endpoint } from './databaseEndpoints';
import { OrganizationEgress } from './OrganizationEgress';

export { OrganizationEgress } from './OrganizationEgress';
import { type CheckedDestination, EgressRefusedError } from './types';

export { EgressRefusedError } from './types';
export type { CheckedDestination } from './types';

/** Resolves a host name to all its addresses (the system resolver by default). */
export type EgressResolver = (
  hostname: string,
) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: EgressResolver = hostname =>
  dns.lookup(hostname, { all: true });

/** How long the resolved addresses of the backend's own database are reused. */
const DATABASE_ADDRESS_TTL_MS = 60_000;

/**
 * The one place that decides whether the backend may open a connection for a tenant: HTTP
 * sources, database sources and connection tests, S3 endpoints, Iceberg REST catalogs.
 *
 * A check resolves the name once, classifies every address (see addresses.ts), and answers the
 * address to connect to; callers connect to that address, so a name that resolves differently
 * a moment later (DNS rebinding) cannot redirect the connection. Loopback, private, link-local
 * and other special ranges are refused unless the organization's allow-list
 * (`ingestion.organizations[].egress.allow`) admits the host or range on that port; cloud
 * metadata, unspecified, multicast and broadcast addresses and the backend's own database
 * server are refused even then.
 */
export class EgressGuard {
  readonly #allow: (organizationId: string) => readonly EgressAllowRule[];
  readonly #database: readonly Endpoint[];
  readonly #resolver: EgressResolver;
  readonly #localAddresses: () => IpAddress[];
  #databaseAddresses?: { at: number; value: Promise<DatabaseMatcher[]> };
  readonly #organizations = new Map<string, OrganizationEgress>();

  constructor(
    options: {
      /** Allow-list entries per organization id, or a function that reads them at each check. */
      allow?:
        | Record<string, readonly EgressAllowRule[]>
        | ((organizationId: string) => readonly EgressAllowRule[]);
      /** The backend's own database servers: refused for every tenant. */
      database?: readonly Endpoint[];
      resolver?: EgressResolver;
      /** The addresses of this machine (default: its interfaces'); for tests. */
      localAddresses?: () => string[];
    } = {},
  ) {
    const allow = options.allow ?? {};
    if (typeof allow === 'function') {
      this.#allow = allow;
    } else {
      const byId = new Map(Object.entries(allow));
      this.#allow = id => byId.get(id) ?? [];
    }
    this.#database = options.database ?? [];
    this.#resolver = options.resolver ?? systemResolver;
    const local = options.localAddresses ?? interfaceAddresses;
    this.#localAddresses = () =>
      local().flatMap(a => {
        const parsed = parseAddress(a);
        return parsed ? [parsed] : [];
      });
  }

  /**
   * The guard as configured: each organization's `egress.allow`, and the backend's database
   * servers from `backend.database` (its plugin-specific connections included).
   */
  static fromConfig(
    config: Config,
    options: {
      resolver?: EgressResolver;
      /**
       * The organization directory: allow-lists are then read from it at each check, so those of
       * organizations created or changed at run time count (`src/organizations`).
       */
      directory?: {
        find(
          id: string,
        ): { egress?: { allow: Array<Record<string, unknown>> } } | undefined;
      };
    } = {},
  ): EgressGuard {
    const { directory } = options;
    if (directory) {
      // Parsed once per distinct allow-list (they were checked when saved).
      const parsed = new Map<string, readonly EgressAllowRule[]>();
      return new EgressGuard({
        allow: id => {
          const entries = directory.find(id)?.egress?.allow ?? [];
          const key = `${id}\n${JSON.stringify(entries)}`;
          let rules = parsed.get(key);
          if (!rules) {
            rules = entries.map((entry, index) =>
              parseAllowRule(
                entry,
                `organization ${id} egress.allow[${index}]`,
              ),
            );
            parsed.set(key, rules);
          }
          return rules;
        },
        database: databaseEndpoints(config),
        resolver: options.resolver,
      });
    }
    const allow: Record<string, EgressAllowRule[]> = {};
    for (const org of config.getOptionalConfigArray(
      'ingestion.organizations',
    ) ?? []) {
      const id = org.getString('id');
      allow[id] = readEgressAllowList(
        org.getOptionalConfig('egress'),
        `ingestion.organizations[${id}].egress`,
      );
    }
    return new EgressGuard({
      allow,
      database: databaseEndpoints(config),
      resolver: options.resolver,
    });
  }

  /** The guard for one organization's connections. */
  forOrganization(organizationId: string): OrganizationEgress {
    let egress = this.#organizations.get(organizationId);
    if (!egress) {
      egress = new OrganizationEgress(organizationId, (host, port) =>
        this.check(organizationId, host, port),
      );
      this.#organizations.set(organizationId, egress);
    }
    return egress;
  }

  /** Resolves `host` once and checks every address; throws {@link EgressRefusedError}. */
  async check(
    organizationId: string,
    rawHost: string,
    port: number,
  ): Promise<CheckedDestination> {
    const host = normalizeHost(rawHost);
    if (!host) {
      throw new EgressRefusedError(rawHost, port, 'the host is empty');
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new EgressRefusedError(host, port, 'the port is not 1-65535');
    }
    const literal = parseAddress(host);
    const addresses = literal
      ? [literal]
      : (await this.#resolver(host)).flatMap(a => {
          const parsed = parseAddress(a.address);
          return parsed ? [parsed] : [];
        });
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${host} did not resolve`), {
        code: 'ENOTFOUND',
      });
    }
    const rules = this.#allow(organizationId);
    const database = await this.#databaseAddressSet();
    // For names, the message says what kind of address, not which: no map of internal DNS.
    const what = literal ? `${host} is` : `${host} resolves to`;
    let allowListed = true;
    const verdicts = addresses.map(a => classifyAddress(a));
    for (const verdict of verdicts) {
      if (
        database.some(
          db => db.port === port && verdict.matchAddresses.some(db.matches),
        )
      ) {
        throw new EgressRefusedError(
          host,
          port,
          `${what} the portal's own database server, which tenant connections never reach`,
        );
      }
      if (verdict.category === 'forbidden') {
        throw new EgressRefusedError(
          host,
          port,
          `${what} a ${verdict.label} address, which tenant connections never reach`,
        );
      }
      if (rules.some(rule => ruleMatches(rule, host, verdict, port))) {
        continue;
      }
      allowListed = false;
      if (verdict.category === 'restricted') {
        const nearMiss = rules.filter(rule =>
          ruleMatches(rule, host, verdict, port, true),
        );
        throw new EgressRefusedError(
          host,
          port,
          `${what} a ${
            verdict.label
          } address, which organization '${organizationId}' has not allow-listed${
            nearMiss.length > 0
              ? ` on this port (allowed: ${nearMiss
                  .flatMap(r => r.ports)
                  .map(([l, h]) => (l === h ? `${l}` : `${l}-${h}`))
                  .join(', ')})`
              : ` (ingestion.organizations[].egress.allow)`
          }`,
        );
      }
    }
    const chosen = verdicts[0];
    return {
      host,
      port,
      address: chosen.address,
      family: chosen.family,
      allowListed,
    };
  }

  /**
   * Matchers for the backend database's addresses and ports. A database on this machine is
   * reachable on every local address (loopback, unspecified, the interfaces' own), so its port is
   * refused on all of them.
   */
  #databaseAddressSet(): Promise<DatabaseMatcher[]> {
    if (this.#database.length === 0) return Promise.resolve([]);
    const now = Date.now();
    if (
      !this.#databaseAddresses ||
      now - this.#databaseAddresses.at > DATABASE_ADDRESS_TTL_MS
    ) {
      const value = Promise.all(
        this.#database.map(async ({ host, port }) => {
          const literal = parseAddress(host);
          const resolved = literal
            ? [literal]
            : await this.#resolver(host).then(
                list => list.flatMap(a => parseAddress(a.address) ?? []),
                // An unresolvable database host cannot be reached by tenants either.
                () => [],
              );
          const own = resolved.flatMap(a => classifyAddress(a).matchAddresses);
          const local = this.#localAddresses();
          const isLocal = (a: IpAddress) =>
            isLoopbackOrUnspecified(a) || local.some(l => sameAddress(l, a));
          const onThisMachine = own.some(isLocal);
          return {
            port,
            matches: (a: IpAddress) =>
              own.some(o => sameAddress(o, a)) || (onThisMachine && isLocal(a)),
          };
        }),
      );
      this.#databaseAddresses = { at: now, value };
    }
    return this.#databaseAddresses.value;
  }
}

interface DatabaseMatcher {
  port: number;
  matches(address: IpAddress): boolean;
}

function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a.kind() === b.kind() && a.toString() === b.toString();
}

function isLoopbackOrUnspecified(address: IpAddress): boolean {
  const range = address.range();
  return range === 'loopback' || range === 'unspecified';
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap(list =>
    (list ?? []).map(i => i.address),
  );
}
