// An IPv4-mapped IPv6 range (::ffff:10.0.0.0/104) as a pool CIDR: Calico parses it with Go's net.ParseCIDR
// into a 16-byte network whose IP.To4() is not nil, so IPNet.Version() says 4 (projectcalico/calico
// libcalico-go/lib/net/ipnet.go:70-77, ParseCIDR :109-127): an IPv4 pool with a 128-bit mask, which is
// neither the IPv6 pool the guide asks for nor a usable IPv4 one. Kubernetes' cidr() refuses it outright
// (k8s.io/apiserver@v0.37.2 pkg/cel/library/cidr.go:287-289), so the webhook refuses it too, and says how to
// write what was meant.
import ipaddr from 'ipaddr.js';

/** For an IPv4-mapped IPv6 CIDR, the IPv4 range it maps (`10.0.0.0/8` for `::ffff:10.0.0.0/104`); else undefined. */
export function ipv4MappedRange(cidr: string): string | undefined {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr.trim());
  } catch {
    return undefined;
  }
  const [address, prefix] = parsed;
  if (address.kind() !== 'ipv6' || !(address as ipaddr.IPv6).isIPv4MappedAddress()) return undefined;
  return `${(address as ipaddr.IPv6).toIPv4Address().toString()}/${Math.max(prefix - 96, 0)}`;
}

/** The finding's fix text, shared by IPPool and the Installation's pools. */
export function ipv4MappedFix(cidr: string, mapped: string, podCIDR: string): string {
  return `${cidr} is an IPv4-mapped IPv6 range: Calico reads it as an IPv4 pool and Kubernetes' cidr() refuses it; write ${mapped} for an IPv4 pool, or use ${podCIDR}, the cluster's pod CIDR`;
}

/** The expected value of that finding. */
export const IPV4_MAPPED_EXPECTED = 'an IPv6 CIDR, or an IPv4 one written as IPv4';
