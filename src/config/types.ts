// The cluster's IPv6 settings (DESIGN section 2), after validation: every rule reads these and nothing else.
import type { Ipv6Cidr, Ipv4Cidr } from '../net/ranges.js';
import type { Version } from '../k8s/versions.js';
import type ipaddr from 'ipaddr.js';

export type Mode = 'ipv6-only' | 'dual-stack';
export type RouterIdPolicy = 'hash' | 'require';
export type ValidationAction = 'deny' | 'warn';
export type NatOutgoingSetting = 'auto' | 'true' | 'false';

export interface WebhookConfig {
  mode: Mode;
  podCIDR: Ipv6Cidr;
  serviceCIDR: Ipv6Cidr;
  clusterDNS: ipaddr.IPv6;
  routerID: RouterIdPolicy;
  kubeDNS: { minImageVersion: Version };
  /** undefined means `auto`: read the calico/node image tag. */
  calicoVersion: Version | undefined;
  validationAction: ValidationAction;
  /** dual-stack only, required there: the IPv4 half of --cluster-cidr (CALICO_IPV4POOL_CIDR). */
  ipv4PodCIDR: Ipv4Cidr | undefined;
  /** CALICO_IPV6POOL_NAT_OUTGOING (and an Installation pool's natOutgoing) as resolved from the setting. */
  ipv6NATOutgoing: boolean;
  /** The setting as written: `auto` resolves to true for a unique-local (fc00::/7) podCIDR. */
  ipv6NATOutgoingSetting: NatOutgoingSetting;
}

/** The configuration as written by a person: strings, before validation. */
export interface RawConfig {
  mode?: unknown;
  podCIDR?: unknown;
  serviceCIDR?: unknown;
  clusterDNS?: unknown;
  routerID?: unknown;
  kubeDNS?: { minImageVersion?: unknown } | unknown;
  calicoVersion?: unknown;
  validationAction?: unknown;
  ipv4PodCIDR?: unknown;
  ipv6NATOutgoing?: unknown;
}

/**
 * The embedded default: the guide's example cluster, so `serve` works with no file at all. ipv4PodCIDR has
 * none: dual-stack must be told its IPv4 range.
 */
export const DEFAULT_RAW_CONFIG: Readonly<Required<Omit<RawConfig, 'ipv4PodCIDR'>>> = Object.freeze({
  mode: 'ipv6-only',
  podCIDR: 'fd20::/112',
  serviceCIDR: 'fd00:10:96::/112',
  clusterDNS: 'fd00:10:96::a',
  routerID: 'hash',
  kubeDNS: { minImageVersion: '1.14.8' },
  calicoVersion: 'auto',
  validationAction: 'deny',
  ipv6NATOutgoing: 'auto',
});
