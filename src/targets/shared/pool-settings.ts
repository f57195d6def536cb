// The configuration's IPv4 pod CIDR as the pool rules need it: whether a dual-stack IPv4 pool lies inside it.
import type { WebhookConfig } from '../../config/types.js';
import { cidrHolds, parseIpv4Cidr } from '../../net/ranges.js';

/** The configured ipv4PodCIDR when the IPv4 pool lies outside it; undefined when inside or not configured. */
export function ipv4PoolOutsidePodCIDR(config: WebhookConfig, cidr: string): string | undefined {
  const podCIDR = config.ipv4PodCIDR;
  if (!podCIDR) return undefined;
  const pool = parseIpv4Cidr(cidr);
  return pool.ok && cidrHolds(podCIDR, pool.cidr) ? undefined : podCIDR.text;
}
