// The cluster's IPv6 settings (DESIGN section 2), after validation: every rule reads these and nothing else.
import type { Ipv6Cidr } from '../net/cidr.js';
import type { Version } from '../k8s/versions.js';
import type ipaddr from 'ipaddr.js';

export type Mode = 'ipv6-only' | 'dual-stack';
export type RouterIdPolicy = 'hash' | 'require';
export type ValidationAction = 'deny' | 'warn';

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
}

/** The embedded default: the guide's example cluster, so `serve` works with no file at all. */
export const DEFAULT_RAW_CONFIG: Readonly<Required<RawConfig>> = Object.freeze({
  mode: 'ipv6-only',
  podCIDR: 'fd20::/112',
  serviceCIDR: 'fd00:10:96::/112',
  clusterDNS: 'fd00:10:96::a',
  routerID: 'hash',
  kubeDNS: { minImageVersion: '1.14.8' },
  calicoVersion: 'auto',
  validationAction: 'deny',
});
