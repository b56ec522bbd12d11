import ipaddr from 'ipaddr.js';

/**
 * Where an address stands for tenant connections:
 * - `public`: reachable by default;
 * - `restricted`: refused unless the organization's allow-list admits it (loopback, private,
 *   link-local, carrier-grade NAT, reserved and documentation ranges);
 * - `forbidden`: never reachable, allow-list or not (cloud metadata, unspecified, multicast,
 *   broadcast), since no tenant has a legitimate reason to open a TCP connection there.
 */
export type AddressCategory = 'public' | 'restricted' | 'forbidden';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** The classification of one address. */
export interface AddressVerdict {
  /** The address in canonical form, as a socket is given it. */
  address: string;
  family: 4 | 6;
  category: AddressCategory;
  /** What the range is, for messages: `loopback`, `private`, `cloud metadata`, … */
  label: string;
  /**
   * The addresses allow-list rules and the database guard compare: the address itself and,
   * for IPv6 spellings of an IPv4 address (mapped, compatible, translated), that IPv4 address.
   */
  matchAddresses: IpAddress[];
}

type Range = {
  cidr: [IpAddress, number];
  label: string;
  category: Exclude<AddressCategory, 'public'>;
};

const range = (
  cidr: string,
  label: string,
  category: Range['category'] = 'restricted',
): Range => ({ cidr: ipaddr.parseCIDR(cidr), label, category });

// First match wins: the specific metadata addresses come before the ranges holding them.
const IPV4_RANGES: Range[] = [
  range('169.254.169.254/32', 'cloud metadata', 'forbidden'),
  range('169.254.170.2/32', 'cloud metadata (ECS task)', 'forbidden'),
  range('169.254.170.23/32', 'cloud metadata (EKS pod identity)', 'forbidden'),
  range('100.100.100.200/32', 'cloud metadata (Alibaba)', 'forbidden'),
  range('0.0.0.0/8', 'unspecified ("this network")', 'forbidden'),
  range('224.0.0.0/4', 'multicast', 'forbidden'),
  range('255.255.255.255/32', 'broadcast', 'forbidden'),
  range('127.0.0.0/8', 'loopback'),
  range('10.0.0.0/8', 'private'),
  range('172.16.0.0/12', 'private'),
  range('192.168.0.0/16', 'private'),
  range('100.64.0.0/10', 'carrier-grade NAT'),
  range('169.254.0.0/16', 'link-local'),
  range('192.0.0.0/24', 'IETF protocol assignment'),
  range('192.0.2.0/24', 'documentation'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('198.18.0.0/15', 'benchmarking'),
  range('192.88.99.0/24', '6to4 relay anycast'),
  range('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: Range[] = [
  range('fd00:ec2::254/128', 'cloud metadata (AWS IPv6)', 'forbidden'),
  range('fd00:ec2::23/128', 'cloud metadata (EKS pod identity)', 'forbidden'),
  range('::/128', 'unspecified', 'forbidden'),
  range('ff00::/8', 'multicast', 'forbidden'),
  range('::1/128', 'loopback'),
  range('fc00::/7', 'unique local (private)'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local'),
  range('100::/64', 'discard-only'),
  range('64:ff9b:1::/48', 'local-use NAT64'),
  range('2001::/32', 'Teredo tunnel'),
  range('2001:db8::/32', 'documentation'),
  range('3fff::/20', 'documentation'),
  range('2001::/23', 'IETF protocol assignment'),
  range('5f00::/16', 'segment routing'),
  // Everything outside global unicast (2000::/3) is unassigned or special.
];
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** IPv6 ranges whose last 32 bits are an IPv4 address the socket effectively talks to. */
const IPV4_IN_LAST_32: Array<{ cidr: [IpAddress, number]; label: string }> = [
  { cidr: ipaddr.parseCIDR('::ffff:0:0/96'), label: 'IPv4-mapped' },
  { cidr: ipaddr.parseCIDR('::ffff:0:0:0/96'), label: 'IPv4-translated' },
  { cidr: ipaddr.parseCIDR('64:ff9b::/96'), label: 'NAT64' },
  { cidr: ipaddr.parseCIDR('::/96'), label: 'IPv4-compatible' },
];
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16');

function inRange(address: IpAddress, cidr: [IpAddress, number]): boolean {
  return address.kind() === cidr[0].kind() && address.match(cidr);
}

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]); // eslint-disable-line no-bitwise
}

/**
 * The IPv4 address an IPv6 address embeds, and how: IPv4-mapped (`::ffff:a.b.c.d`, also in hex),
 * IPv4-translated, IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`).
 */
export function embeddedIpv4(
  address: ipaddr.IPv6,
): { ipv4: ipaddr.IPv4; label: string; sameHost: boolean } | undefined {
  const parts = address.parts;
  for (const { cidr, label } of IPV4_IN_LAST_32) {
    if (address.match(cidr)) {
      // `::` and `::1` are themselves, not IPv4-compatible spellings of 0.0.0.0 and 0.0.0.1.
      if (label === 'IPv4-compatible' && parts[6] === 0 && parts[7] <= 1) {
        return undefined;
      }
      return {
        ipv4: v4FromParts(parts[6], parts[7]),
        label,
        // Mapped, translated and compatible addresses reach the IPv4 host itself.
        sameHost: label !== 'NAT64',
      };
    }
  }
  if (address.match(SIX_TO_FOUR)) {
    return {
      ipv4: v4FromParts(parts[1], parts[2]),
      label: '6to4',
      sameHost: false,
    };
  }
  return undefined;
}

function classifyV4(address: ipaddr.IPv4): Omit<AddressVerdict, 'address'> {
  const found = IPV4_RANGES.find(r => inRange(address, r.cidr));
  return {
    family: 4,
    category: found?.category ?? 'public',
    label: found?.label ?? 'public',
    matchAddresses: [address],
  };
}

/**
 * Parses an IP address literal in any spelling a resolver or the URL parser accepts (dotted,
 * decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`, short `127.1`, IPv6 with or without
 * brackets); undefined for host names. IPv6 zone ids are refused: they only name link-local
 * scopes, which are never a tenant's business.
 */
export function parseAddress(host: string): IpAddress | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return undefined;
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).zoneId) {
    // Classified as the link-local address it is; the zone is dropped.
    return ipaddr.IPv6.parse(bare.replace(/%.*$/, ''));
  }
  return parsed;
}

/** Classifies an address: its range, and for IPv6 spellings of IPv4 addresses, the embedded one. */
export function classifyAddress(input: IpAddress | string): AddressVerdict {
  const address = typeof input === 'string' ? parseAddress(input) : input;
  if (!address) {
    throw new TypeError(`'${input}' is not an IP address`);
  }
  const canonical = address.toString();
  if (address.kind() === 'ipv4') {
    return { address: canonical, ...classifyV4(address as ipaddr.IPv4) };
  }
  const v6 = address as ipaddr.IPv6;
  const embedded = embeddedIpv4(v6);
  if (embedded) {
    const inner = classifyV4(embedded.ipv4);
    return {
      address: canonical,
      family: 6,
      category: inner.category,
      label:
        inner.category === 'public'
          ? 'public'
          : `${inner.label} (${embedded.label} ${embedded.ipv4})`,
      matchAddresses: embedded.sameHost ? [v6, embedded.ipv4] : [v6],
    };
  }
  const found = IPV6_RANGES.find(r => inRange(v6, r.cidr));
  if (found) {
    return {
      address: canonical,
      family: 6,
      category: found.category,
      label: found.label,
      matchAddresses: [v6],
    };
  }
  const global = v6.match(GLOBAL_UNICAST_V6);
  return {
    address: canonical,
    family: 6,
    category: global ? 'public' : 'restricted',
    label: global ? 'public' : 'reserved',
    matchAddresses: [v6],
  };
}

/** Whether `address` lies in `cidr` (IPv4 and IPv6 never match each other). */
export function addressInCidr(
  address: IpAddress,
  cidr: [IpAddress, number],
): boolean {
  return inRange(address, cidr);
}
