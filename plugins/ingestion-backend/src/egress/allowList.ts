import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import ipaddr from 'ipaddr.js';
import { addressInCidr, type AddressVerdict, parseAddress } from './addresses';

/**
 * One entry of `ingestion.organizations[].egress.allow`: destinations on private networks an
 * organization may connect to. `host` (a name, `*.suffix`, or an address) and/or `cidr` say
 * where; `ports` say on which ports — an entry never opens every port of a host.
 */
export interface EgressAllowRule {
  /** A lower-case host name, or `*.suffix` for any name below the suffix. */
  host?: string;
  /** The range the resolved address must be in (a host given as an address becomes one). */
  cidr?: [ipaddr.IPv4 | ipaddr.IPv6, number];
  /** Allowed ports as inclusive ranges. */
  ports: Array<[number, number]>;
  /** The entry as configured, for messages. */
  text: string;
}

const HOST_NAME =
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** A host name as compared: lower case, without brackets or a trailing dot. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '')
    .toLocaleLowerCase('en-US');
}

function parsePort(value: unknown, path: string): [number, number] {
  const text = String(value).trim();
  const match = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(text);
  const low = match ? Number(match[1]) : NaN;
  const high = match?.[2] ? Number(match[2]) : low;
  if (!match || low < 1 || high > 65535 || low > high) {
    throw new InputError(
      `${path} must be a port (1-65535) or a range like 8000-8099, got '${text}'`,
    );
  }
  return [low, high];
}

/** Reads one allow-list entry; throws naming the entry's config path when it is malformed. */
export function parseAllowRule(
  entry: { host?: unknown; cidr?: unknown; ports?: unknown },
  path: string,
): EgressAllowRule {
  const { host, cidr, ports } = entry;
  if (host === undefined && cidr === undefined) {
    throw new InputError(`${path} needs a host or a cidr`);
  }
  if (!Array.isArray(ports) || ports.length === 0) {
    throw new InputError(
      `${path}.ports must list the allowed ports (numbers or ranges like 8000-8099)`,
    );
  }
  const rule: EgressAllowRule = {
    ports: ports.map((port, i) => parsePort(port, `${path}.ports[${i}]`)),
    text: [
      host !== undefined ? `host ${host}` : undefined,
      cidr !== undefined ? `cidr ${cidr}` : undefined,
      `ports ${ports.join(', ')}`,
    ]
      .filter(Boolean)
      .join(', '),
  };
  if (cidr !== undefined) {
    try {
      rule.cidr = ipaddr.parseCIDR(String(cidr));
    } catch {
      throw new InputError(
        `${path}.cidr must be an address range like 10.20.0.0/16 or fd00:1::/64, got '${cidr}'`,
      );
    }
  }
  if (host !== undefined) {
    const name = normalizeHost(String(host));
    const address = parseAddress(name);
    if (address) {
      if (rule.cidr) {
        throw new InputError(
          `${path} gives an address as host and a cidr; give one of them`,
        );
      }
      rule.cidr = [address, address.kind() === 'ipv4' ? 32 : 128];
    } else if (HOST_NAME.test(name)) {
      rule.host = name;
    } else {
      throw new InputError(
        `${path}.host must be a host name, *.domain or an IP address, got '${host}'`,
      );
    }
  }
  return rule;
}

/** Reads `egress.allow` of one organization's config. */
export function readEgressAllowList(
  egress: Config | undefined,
  path: string,
): EgressAllowRule[] {
  return (egress?.getOptionalConfigArray('allow') ?? []).map((entry, index) =>
    parseAllowRule(
      {
        host: entry.getOptional('host'),
        cidr: entry.getOptional('cidr'),
        ports: entry.getOptional('ports'),
      },
      `${path}.allow[${index}]`,
    ),
  );
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) {
    return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  }
  return pattern === host;
}

/** Whether the rule admits this address of `host` on `port`; `ignorePort` finds near misses. */
export function ruleMatches(
  rule: EgressAllowRule,
  host: string,
  verdict: AddressVerdict,
  port: number,
  ignorePort = false,
): boolean {
  if (rule.host !== undefined && !hostMatches(rule.host, host)) return false;
  if (
    rule.cidr !== undefined &&
    !verdict.matchAddresses.some(a => addressInCidr(a, rule.cidr!))
  ) {
    return false;
  }
  return (
    ignorePort || rule.ports.some(([low, high]) => port >= low && port <= high)
  );
}
