// Addresses and CIDRs of either family on top of ipaddr.js, so every rule parses and compares them one way;
// relations between ranges are decided by overlap: a range is refused when any part of it falls in a reserved
// block, not only when its network address does (fe00::/7 holds fe80::/10).
import ipaddr from 'ipaddr.js';

export type Family = 'ipv4' | 'ipv6';

/** A CIDR of either family with host bits zero; `text` is canonical (RFC 5952 for IPv6). */
export interface AnyCidr {
  address: ipaddr.IPv4 | ipaddr.IPv6;
  prefix: number;
  text: string;
}

export interface Ipv4Cidr extends AnyCidr {
  address: ipaddr.IPv4;
}

export function familyOf(cidr: AnyCidr): Family {
  return cidr.address.kind();
}

/** Parses a CIDR of the given family strictly (host bits zero); the reason says what is wrong. */
export function parseCidrOf(family: Family, value: string): { ok: true; cidr: AnyCidr } | { ok: false; reason: string } {
  const text = value.trim();
  if (!text.includes('/')) return { ok: false, reason: 'is not a CIDR (no /prefix)' };
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return { ok: false, reason: 'is not a valid CIDR' };
  }
  const [address, prefix] = parsed;
  const wanted = family === 'ipv4' ? 'IPv4' : 'IPv6';
  if (address.kind() !== family) return { ok: false, reason: `is an ${family === 'ipv4' ? 'IPv6' : 'IPv4'} CIDR, not ${wanted}` };
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) return { ok: false, reason: 'is an IPv4-mapped range, not IPv6' };
  const network = family === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  if (network.toNormalizedString() !== address.toNormalizedString()) {
    return { ok: false, reason: `has host bits set (the network is ${network.toString()}/${prefix})` };
  }
  return { ok: true, cidr: { address, prefix, text: `${address.toString()}/${prefix}` } };
}

export function parseIpv4Cidr(value: string): { ok: true; cidr: Ipv4Cidr } | { ok: false; reason: string } {
  return parseCidrOf('ipv4', value) as { ok: true; cidr: Ipv4Cidr } | { ok: false; reason: string };
}

function matches(address: ipaddr.IPv4 | ipaddr.IPv6, range: AnyCidr, bits: number): boolean {
  if (address.kind() !== range.address.kind()) return false;
  return address.kind() === 'ipv4'
    ? (address as ipaddr.IPv4).match(range.address as ipaddr.IPv4, bits)
    : (address as ipaddr.IPv6).match(range.address as ipaddr.IPv6, bits);
}

/** Two CIDRs share at least one address: the shorter prefix decides. Different families never overlap. */
export function cidrsOverlap(a: AnyCidr, b: AnyCidr): boolean {
  return matches(a.address, b, Math.min(a.prefix, b.prefix));
}

export function cidrHolds(outer: AnyCidr, inner: AnyCidr): boolean {
  return inner.prefix >= outer.prefix && matches(inner.address, outer, outer.prefix);
}

export function cidrHoldsAddress(cidr: AnyCidr, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return matches(address, cidr, cidr.prefix);
}

function reserved(text: string, name: string, shownAs = text): { cidr: AnyCidr; name: string } {
  const [address, prefix] = ipaddr.parseCIDR(text);
  return { cidr: { address, prefix, text }, name: `${name} (${shownAs})` };
}

// IPv6 link-local is what Calico's IPPool validation refuses by overlap (api/pkg/apis/projectcalico/v3/ippool.go:97),
// IPv4 link-local likewise (:96); multicast and loopback can never be a pod's unicast address.
const RESERVED = [
  reserved('fe80::/10', 'link-local'),
  reserved('ff00::/8', 'multicast'),
  reserved('::1/128', 'loopback', '::1'),
  reserved('169.254.0.0/16', 'link-local'),
  reserved('224.0.0.0/4', 'multicast'),
  reserved('127.0.0.0/8', 'loopback'),
];

/** The reserved range (link-local, multicast, loopback) this CIDR overlaps, named with its CIDR; else undefined. */
export function reservedOverlap(cidr: AnyCidr): string | undefined {
  return RESERVED.find((r) => cidrsOverlap(cidr, r.cidr))?.name;
}

const ULA = reserved('fc00::/7', 'unique local');

/** True when the whole range is unique local (fc00::/7): not routed on the internet, so egress needs NAT. */
export function isUniqueLocal(cidr: AnyCidr): boolean {
  return cidrHolds(ULA.cidr, cidr);
}

/** The address `offset` places after the network address (offset 0 is the network address itself). */
export function addressAt(cidr: AnyCidr, offset: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = cidr.address.toByteArray();
  let carry = offset;
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i -= 1) {
    const sum = (bytes[i] as number) + carry;
    bytes[i] = sum % 256;
    carry = Math.floor(sum / 256);
  }
  return ipaddr.fromByteArray(bytes);
}

// ---- IPv6 and family helpers -----------------------------------------------------------------
/** An IPv6 CIDR; `text` is canonical (RFC 5952 compressed), e.g. fd20::/112. */
export interface Ipv6Cidr extends AnyCidr {
  address: ipaddr.IPv6;
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

export function cidrEquals(a: AnyCidr, b: AnyCidr): boolean {
  return a.prefix === b.prefix && a.address.toNormalizedString() === b.address.toNormalizedString();
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
