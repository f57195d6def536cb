// Comparing what the cluster says with the configuration: one wording for doctor, discovery and the kube-proxy target.
import ipaddr from 'ipaddr.js';
import type { Mode } from '../../config/types.js';
import { cidrEquals, isIpv4Cidr, parseIpv6Address, parseIpv6Cidr, sameAddress, type Ipv6Cidr } from '../../net/ranges.js';

export type Verdict = { ok: true; detail: string } | { ok: false; reason: string };

/**
 * A CIDR list (a flag, kubeadm's podSubnet, kube-proxy's clusterCIDR) against the configured IPv6 CIDR:
 * ipv6-only wants exactly that one CIDR; dual-stack wants it among at most two.
 */
export function compareCidrList(list: readonly string[], expected: Ipv6Cidr, mode: Mode): Verdict {
  if (list.length === 0) return { ok: false, reason: 'is not set' };
  const v6: Ipv6Cidr[] = [];
  const v4: string[] = [];
  for (const item of list) {
    const parsed = parseIpv6Cidr(item);
    if (parsed.ok) v6.push(parsed.cidr);
    else if (isIpv4Cidr(item)) v4.push(item);
    else return { ok: false, reason: `holds ${JSON.stringify(item)}, which ${parsed.reason}` };
  }
  if (v6.length === 0) return { ok: false, reason: `has no IPv6 CIDR (${list.join(',')})` };
  if (mode === 'ipv6-only' && v4.length > 0) return { ok: false, reason: `also holds IPv4 ${v4.join(',')}, but the mode is ipv6-only` };
  if (list.length > 2 || v6.length > 1) return { ok: false, reason: `holds ${list.length} CIDRs (${list.join(',')}); at most one per family` };
  const [actual] = v6 as [Ipv6Cidr];
  if (!cidrEquals(actual, expected)) return { ok: false, reason: `is ${actual.text}, but ${expected.text} is configured` };
  return { ok: true, detail: list.join(',') };
}

/** The kubelet's clusterDNS list against the configured address: it must be first; ipv6-only allows no IPv4. */
export function compareDnsList(list: readonly string[], expected: ipaddr.IPv6, mode: Mode): Verdict {
  if (list.length === 0) return { ok: false, reason: 'is not set' };
  const v4 = list.filter((a) => ipaddr.IPv4.isValidFourPartDecimal(a));
  if (mode === 'ipv6-only' && v4.length > 0) return { ok: false, reason: `holds IPv4 ${v4.join(',')}, but the mode is ipv6-only` };
  const first = parseIpv6Address(list.find((a) => parseIpv6Address(a) !== undefined) ?? '');
  if (!first) return { ok: false, reason: `has no IPv6 address (${list.join(',')})` };
  if (!sameAddress(first, expected)) return { ok: false, reason: `is ${first.toString()}, but ${expected.toString()} is configured` };
  return { ok: true, detail: list.join(',') };
}

/** The host of a URL (`https://[fd00::1]:6443` gives fd00::1), or undefined when it is not a URL. */
export function urlHost(text: string): string | undefined {
  try {
    const host = new URL(text.includes('://') ? text : `https://${text}`).hostname;
    return host.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}
