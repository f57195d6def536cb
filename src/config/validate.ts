// Turns a person's configuration into a WebhookConfig, or fails naming the key and why.
import { cidrHoldsAddress, parseIpv6Address, parseIpv6Cidr, addressAt, cidrsOverlap, isUniqueLocal, parseIpv4Cidr, reservedOverlap, type AnyCidr, type Ipv4Cidr } from '../net/ranges.js';
import { formatVersion, parseVersion } from '../k8s/versions.js';
import type { RawConfig, WebhookConfig } from './types.js';
import type ipaddr from 'ipaddr.js';

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
  'ipv4PodCIDR', 'ipv6NATOutgoing',
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
  if (!cidrHoldsAddress(serviceCIDR, clusterDNS)) {
    throw new ConfigError('clusterDNS', `${dnsText} lies outside serviceCIDR ${serviceCIDR.text}; the kubelet's --cluster-dns must be a service address`);
  }
  if (cidrsOverlap(podCIDR, serviceCIDR)) {
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
  checkPodRange('podCIDR', podCIDR, IPV6_BLOCK);
  checkServiceAddress(clusterDNS, serviceCIDR);
  const ipv4PodCIDR = ipv4PodCidrKey(raw.ipv4PodCIDR, mode);
  const nat = natOutgoingKey(raw.ipv6NATOutgoing, podCIDR);
  return {
    mode, podCIDR, serviceCIDR, clusterDNS, routerID, kubeDNS: { minImageVersion }, calicoVersion, validationAction,
    ipv4PodCIDR, ipv6NATOutgoing: nat.enabled, ipv6NATOutgoingSetting: nat.setting,
  };
}

// Calico's default block sizes (node/pkg/lifecycle/startup/startup.go:57-58): the pool calico-node creates from
// the pod CIDR must hold one block (api/pkg/apis/projectcalico/v3/ippool.go:99).
const IPV6_BLOCK = 122;
const IPV4_BLOCK = 26;

function checkPodRange(key: string, cidr: AnyCidr, block: number): void {
  const reserved = reservedOverlap(cidr);
  if (reserved) throw new ConfigError(key, `${cidr.text} overlaps ${reserved}, which no pod address may use`);
  if (cidr.prefix > block) {
    throw new ConfigError(key, `${cidr.text} cannot hold one /${block} block (Calico's default block size); use a /${block} or larger range`);
  }
}

/** The network address, and the first address, which the API server gives the `kubernetes` Service. */
function checkServiceAddress(clusterDNS: ipaddr.IPv6, serviceCIDR: AnyCidr): void {
  const taken = [[addressAt(serviceCIDR, 0), 'the network address'], [addressAt(serviceCIDR, 1), "the first address (the `kubernetes` Service's)"]] as const;
  for (const [address, what] of taken) {
    if (address.toNormalizedString() === clusterDNS.toNormalizedString()) {
      throw new ConfigError('clusterDNS', `${clusterDNS.toString()} is ${what} of serviceCIDR ${serviceCIDR.text}; pick another address, such as ${addressAt(serviceCIDR, 10).toString()}`);
    }
  }
}

/** Checked whenever given (a layered file may switch modes), required and used only in dual-stack. */
function ipv4PodCidrKey(value: unknown, mode: WebhookConfig['mode']): Ipv4Cidr | undefined {
  if (value === undefined || value === null || value === '') {
    if (mode === 'dual-stack') throw new ConfigError('ipv4PodCIDR', 'required in dual-stack mode: the IPv4 half of --cluster-cidr, such as 10.244.0.0/16');
    return undefined;
  }
  const text = requireString('ipv4PodCIDR', value);
  const parsed = parseIpv4Cidr(text);
  if (!parsed.ok) throw new ConfigError('ipv4PodCIDR', `${JSON.stringify(text)} ${parsed.reason}; an IPv4 CIDR such as 10.244.0.0/16 is needed`);
  checkPodRange('ipv4PodCIDR', parsed.cidr, IPV4_BLOCK);
  return parsed.cidr;
}

function natOutgoingKey(value: unknown, podCIDR: AnyCidr): { setting: WebhookConfig['ipv6NATOutgoingSetting']; enabled: boolean } {
  // YAML reads a bare true/false as a boolean; both spellings mean the same.
  const setting = typeof value === 'boolean' ? (String(value) as 'true' | 'false') : oneOf('ipv6NATOutgoing', value, ['auto', 'true', 'false'] as const);
  // A unique-local pod range is not routed on the internet: without NAT pods have no IPv6 egress.
  const enabled = setting === 'auto' ? isUniqueLocal(podCIDR) : setting === 'true';
  return { setting, enabled };
}

/**
 * The configuration written back as text: validateConfig of it gives the same configuration. It is how
 * the configuration crosses to the large-review worker (its addresses are class instances, which do
 * not survive a message between threads).
 */
export interface ConfigText {
  mode: string; podCIDR: string; serviceCIDR: string; clusterDNS: string; routerID: string;
  kubeDNS: { minImageVersion: string }; calicoVersion: string; validationAction: string; ipv4PodCIDR: string; ipv6NATOutgoing: string;
}

export function rawConfigOf(config: WebhookConfig): ConfigText & Required<RawConfig> {
  return {
    mode: config.mode,
    podCIDR: config.podCIDR.text,
    serviceCIDR: config.serviceCIDR.text,
    clusterDNS: config.clusterDNS.toString(),
    routerID: config.routerID,
    kubeDNS: { minImageVersion: formatVersion(config.kubeDNS.minImageVersion, '') },
    calicoVersion: config.calicoVersion ? formatVersion(config.calicoVersion) : 'auto',
    validationAction: config.validationAction,
    ipv4PodCIDR: config.ipv4PodCIDR?.text ?? '',
    ipv6NATOutgoing: config.ipv6NATOutgoingSetting,
  };
}
