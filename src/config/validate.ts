// Turns a person's configuration into a WebhookConfig, or fails naming the key and why.
import { addressInCidr, parseIpv6Address, parseIpv6Cidr } from '../net/cidr.js';
import { formatVersion, parseVersion } from '../k8s/versions.js';
import type { RawConfig, WebhookConfig } from './types.js';

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`invalid configuration: ${key}: ${reason}`);
    this.name = 'ConfigError';
  }
}

const KNOWN_KEYS = new Set([
  'mode', 'podCIDR', 'serviceCIDR', 'clusterDNS', 'routerID', 'kubeDNS', 'calicoVersion', 'validationAction',
]);

function requireString(key: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(key, `must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value.trim();
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  const text = requireString(key, value);
  if (!(allowed as readonly string[]).includes(text)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return text as T;
}

function cidrKey(key: string, value: unknown) {
  const text = requireString(key, value);
  const parsed = parseIpv6Cidr(text);
  if (!parsed.ok) throw new ConfigError(key, `${JSON.stringify(text)} ${parsed.reason}; an IPv6 CIDR such as fd20::/112 is needed`);
  return parsed.cidr;
}

export function validateConfig(raw: RawConfig): WebhookConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('(top level)', 'must be a mapping of keys to values');
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(key, `unknown key; known keys are ${[...KNOWN_KEYS].join(', ')}`);
  }
  const mode = oneOf('mode', raw.mode, ['ipv6-only', 'dual-stack'] as const);
  const podCIDR = cidrKey('podCIDR', raw.podCIDR);
  const serviceCIDR = cidrKey('serviceCIDR', raw.serviceCIDR);
  const dnsText = requireString('clusterDNS', raw.clusterDNS);
  const clusterDNS = parseIpv6Address(dnsText);
  if (!clusterDNS) throw new ConfigError('clusterDNS', `${JSON.stringify(dnsText)} is not an IPv6 address`);
  if (!addressInCidr(clusterDNS, serviceCIDR)) {
    throw new ConfigError('clusterDNS', `${dnsText} lies outside serviceCIDR ${serviceCIDR.text}; the kubelet's --cluster-dns must be a service address`);
  }
  if (podCIDR.address.match(serviceCIDR.address, Math.min(podCIDR.prefix, serviceCIDR.prefix))) {
    throw new ConfigError('podCIDR', `${podCIDR.text} overlaps serviceCIDR ${serviceCIDR.text}`);
  }
  const routerID = oneOf('routerID', raw.routerID, ['hash', 'require'] as const);
  const kubeDNS = raw.kubeDNS;
  if (kubeDNS === null || typeof kubeDNS !== 'object' || Array.isArray(kubeDNS)) {
    throw new ConfigError('kubeDNS', 'must be a mapping with minImageVersion');
  }
  const minText = requireString('kubeDNS.minImageVersion', (kubeDNS as { minImageVersion?: unknown }).minImageVersion);
  const minImageVersion = parseVersion(minText);
  if (!minImageVersion) throw new ConfigError('kubeDNS.minImageVersion', `${JSON.stringify(minText)} is not a version such as 1.14.8`);
  const calicoText = requireString('calicoVersion', raw.calicoVersion);
  const calicoVersion = calicoText === 'auto' ? undefined : parseVersion(calicoText);
  if (calicoText !== 'auto' && !calicoVersion) {
    throw new ConfigError('calicoVersion', `${JSON.stringify(calicoText)} is neither auto nor a version such as v3.29.0`);
  }
  const validationAction = oneOf('validationAction', raw.validationAction, ['deny', 'warn'] as const);
  return { mode, podCIDR, serviceCIDR, clusterDNS, routerID, kubeDNS: { minImageVersion }, calicoVersion, validationAction };
}

/**
 * The configuration written back as text: validateConfig of it gives the same configuration. It is how
 * the configuration crosses to the large-review worker (its addresses are class instances, which do
 * not survive a message between threads).
 */
export function rawConfigOf(config: WebhookConfig): Required<RawConfig> {
  return {
    mode: config.mode,
    podCIDR: config.podCIDR.text,
    serviceCIDR: config.serviceCIDR.text,
    clusterDNS: config.clusterDNS.toString(),
    routerID: config.routerID,
    kubeDNS: { minImageVersion: formatVersion(config.kubeDNS.minImageVersion, '') },
    calicoVersion: config.calicoVersion ? formatVersion(config.calicoVersion) : 'auto',
    validationAction: config.validationAction,
  };
}
