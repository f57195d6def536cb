// The configuration as the policies read it: a ConfigMap bound as the policies' params, so one set of
// generated policies serves every configuration (the chart renders the ConfigMap from its values, the
// `policy` command from the configuration file and flags).
import type { WebhookConfig } from '../config/types.js';
import { formatVersion } from '../k8s/versions.js';

/** Keys of the params ConfigMap; every policy expression reads `params.data.<key>`. */
export const PARAM_KEYS = ['mode', 'podCIDR', 'serviceCIDR', 'clusterDNS', 'routerID', 'calicoVersion', 'minImageVersion', 'ipv4PodCIDR', 'ipv6NATOutgoing', 'engine'] as const;
export type ParamKey = (typeof PARAM_KEYS)[number];

/** `params.data.<key>` in CEL. */
export function param(key: ParamKey): string {
  return `params.data.${key}`;
}

/**
 * The params for one configuration. calicoVersion is `v1.2.3` or empty for auto; ipv6NATOutgoing stays
 * `auto` (the policies resolve it from podCIDR as the configuration does); engine tells the policies whether
 * the webhook runs beside them (hybrid).
 */
export function policyParams(config: WebhookConfig, engine: 'policy' | 'hybrid'): Record<ParamKey, string> {
  return {
    mode: config.mode,
    podCIDR: config.podCIDR.text,
    serviceCIDR: config.serviceCIDR.text,
    clusterDNS: config.clusterDNS.toString(),
    routerID: config.routerID,
    calicoVersion: config.calicoVersion ? formatVersion(config.calicoVersion) : '',
    minImageVersion: formatVersion(config.kubeDNS.minImageVersion, ''),
    ipv4PodCIDR: config.ipv4PodCIDR?.text ?? '',
    ipv6NATOutgoing: config.ipv6NATOutgoingSetting,
    engine,
  };
}
