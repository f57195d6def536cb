// The configuration's pool settings as the pool rules need them: the IPv4 pod CIDR of a dual-stack
// cluster and whether IPv6 pools NAT outgoing traffic.
import type { WebhookConfig } from '../config/types.js';
import { ipv4CidrWithin, isUniqueLocal } from '../net/cidr.js';

/** The configured ipv4PodCIDR when the IPv4 pool lies outside it; undefined when inside or not configured. */
export function ipv4PoolOutsidePodCIDR(config: WebhookConfig, cidr: string): string | undefined {
  const podCIDR = ipv4PodCIDRText(config);
  return podCIDR !== undefined && !ipv4CidrWithin(podCIDR, cidr) ? podCIDR : undefined;
}

export function ipv4PodCIDRText(config: WebhookConfig): string | undefined {
  const value = (config as { ipv4PodCIDR?: unknown }).ipv4PodCIDR;
  if (typeof value === 'string') return value;
  return typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string' ? (value as { text: string }).text : undefined;
}

/** ipv6NATOutgoing: `auto` is true for a unique local pod CIDR (not routed on the internet), false otherwise. */
export function ipv6NatOutgoing(config: WebhookConfig): boolean {
  const setting = (config as { ipv6NATOutgoing?: unknown }).ipv6NATOutgoing;
  if (typeof setting === 'boolean') return setting;
  return isUniqueLocal(config.podCIDR);
}
