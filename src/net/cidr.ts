// IPv6 address and CIDR helpers on top of ipaddr.js, so every rule parses and compares addresses one way.
import ipaddr from 'ipaddr.js';
import { parseCidrOf, reservedOverlap } from './ranges.js';

export interface Ipv6Cidr {
  address: ipaddr.IPv6;
  prefix: number;
  /** Canonical text (RFC 5952 compressed), e.g. fd20::/112. */
  text: string;
}

export type CidrParse = { ok: true; cidr: Ipv6Cidr } | { ok: false; reason: string };

/** Parses an IPv6 CIDR strictly: IPv6 only, host bits zero. */
export function parseIpv6Cidr(value: string): CidrParse {
  const parsed = parseCidrOf('ipv6', value);
  return parsed.ok ? { ok: true, cidr: parsed.cidr as Ipv6Cidr } : parsed;
}

export function parseIpv6Address(value: string): ipaddr.IPv6 | undefined {
  if (!ipaddr.IPv6.isValid(value)) return undefined;
  const address = ipaddr.IPv6.parse(value);
  return address.isIPv4MappedAddress() ? undefined : address;
}

export function isIpv4Address(value: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(value);
}

export function isIpv4Cidr(value: string): boolean {
  try {
    const [address] = ipaddr.parseCIDR(value.trim());
    return address.kind() === 'ipv4';
  } catch {
    return false;
  }
}

/** True when inner lies entirely inside outer. */
export function cidrContains(outer: Ipv6Cidr, inner: Ipv6Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.address.match(outer.address, outer.prefix);
}

export function cidrEquals(a: Ipv6Cidr, b: Ipv6Cidr): boolean {
  return a.prefix === b.prefix && a.address.toNormalizedString() === b.address.toNormalizedString();
}

export function addressInCidr(address: ipaddr.IPv6, cidr: Ipv6Cidr): boolean {
  return address.match(cidr.address, cidr.prefix);
}

/** Ranges no pool may touch: link-local, multicast, loopback, by overlap (fe00::/7 holds fe80::/10). */
export function reservedRangeOf(cidr: Ipv6Cidr): string | undefined {
  return reservedOverlap(cidr);
}

/** 4 or 6 for a CIDR of either family (host bits allowed), undefined when it is not one. */
export function cidrFamily(value: string): 4 | 6 | undefined {
  try {
    const [address] = ipaddr.parseCIDR(value.trim());
    if (address.kind() === 'ipv4' || (address as ipaddr.IPv6).isIPv4MappedAddress()) return 4;
    return 6;
  } catch {
    return undefined;
  }
}

/** The canonical text of a CIDR of either family (compressed, lower case), or the input when it is not one. */
export function canonicalCidr(value: string): string {
  try {
    const [address, prefix] = ipaddr.parseCIDR(value.trim());
    return `${address.toString()}/${prefix}`;
  } catch {
    return value;
  }
}

export function sameAddress(a: ipaddr.IPv6, b: ipaddr.IPv6): boolean {
  return a.toNormalizedString() === b.toNormalizedString();
}
