// The configuration as the policies read it: a ConfigMap bound as the policies' params, so one set of
// generated policies serves every configuration (the chart renders the ConfigMap from its values, the
// `policy` command from the configuration file and flags).
import type { WebhookConfig } from '../config/types.js';
import { rawConfigOf } from '../config/validate.js';

/** Keys of the params ConfigMap; every policy expression reads `params.data.<key>`. */
const PARAM_KEYS = ['mode', 'podCIDR', 'serviceCIDR', 'clusterDNS', 'routerID', 'calicoVersion', 'minImageVersion', 'ipv4PodCIDR', 'ipv6NATOutgoing', 'engine'] as const;
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
  // The configuration as text, as it crosses to the large-review worker; the policies read the same values.
  const { kubeDNS, calicoVersion, validationAction: _validationAction, ...rest } = rawConfigOf(config);
  const params: Record<ParamKey, string> = { ...rest, calicoVersion: calicoVersion === 'auto' ? '' : calicoVersion, minImageVersion: kubeDNS.minImageVersion, engine };
  return Object.fromEntries(PARAM_KEYS.map((k) => [k, params[k]])) as Record<ParamKey, string>;
}

/**
 * A network setting as the configuration normalises it (src/config/validate.ts: RFC 5952 text, as
 * Kubernetes' string() of ip()/cidr() writes it, pkg/cel/library/ip.go and cidr.go), whatever text the
 * params hold: the chart passes its values as written. ipv4PodCIDR may be empty (unset).
 */
export function canonicalParam(key: 'podCIDR' | 'serviceCIDR' | 'clusterDNS' | 'ipv4PodCIDR'): string {
  if (key === 'clusterDNS') return `string(ip(${param(key)}))`;
  const canonical = `string(cidr(${param(key)}))`;
  return key === 'ipv4PodCIDR' ? `(${param(key)} == '' ? '' : ${canonical})` : canonical;
}
