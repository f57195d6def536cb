// flannel's net-conf.json (Canal's canal-config, flannel's own kube-flannel-cfg) as flanneld reads it, and
// what it must say for the mode: flannel carries pod traffic between nodes in Canal, so an IPv6 pod address
// that flannel does not know is never routed.
import { parseImage, parseVersion, version, formatVersion, atLeast, type Version } from '../k8s/versions.js';
import { cidrHolds, parseCidrOf, type AnyCidr } from '../net/ranges.js';

/**
 * First flannel releases with IPv6: dual-stack (EnableIPv6, IPv6Network: pkg/subnet/config.go at v0.15.0:27-30;
 * absent in v0.14.x) and IPv6-only (PR #1539 "ipv6-only-support", first in v0.17.0,
 * Documentation/configuration.md v0.17.0:121-123).
 */
const FLANNEL_FEATURES = {
  dualStack: version(0, 15, 0),
  ipv6Only: version(0, 17, 0),
  wireguardIPv6: version(0, 16, 0),
} as const satisfies Record<string, Version>;

/**
 * Backends that carry IPv6 (Documentation/configuration.md:113: "vxlan, wireguard or host-gw(linux)"); the type
 * is lower-cased (pkg/backend/manager.go:54) and defaults to udp when Backend is absent (pkg/subnet/config.go:42-54).
 */
const IPV6_BACKENDS = ['vxlan', 'host-gw', 'wireguard'];

export type Mode = 'ipv6-only' | 'dual-stack';

export interface NetConfIntent {
  mode: Mode;
  ipv6Network: AnyCidr;
  /** dual-stack only. */
  ipv4Network?: AnyCidr | undefined;
}

export interface NetConfEdit {
  key: string;
  found: unknown;
  expected: unknown;
  why: string;
}

export interface NetConfProblem {
  key: string;
  found: unknown;
  expected: string;
  fix: string;
}

export interface NetConfPlan {
  edits: NetConfEdit[];
  problems: NetConfProblem[];
}

/** The backend type flanneld would run. */
export function backendType(conf: Record<string, unknown>): string {
  const backend = conf.Backend;
  if (backend === undefined || backend === null) return 'udp';
  const type = typeof backend === 'object' && !Array.isArray(backend) ? (backend as Record<string, unknown>).Type : undefined;
  return typeof type === 'string' ? type.toLowerCase() : '';
}

function networkKey(conf: Record<string, unknown>, key: string, family: 'ipv4' | 'ipv6', wanted: AnyCidr, plan: NetConfPlan, why: string): void {
  const current = conf[key];
  if (current === undefined || current === '') {
    plan.edits.push({ key, found: current, expected: wanted.text, why });
    return;
  }
  const parsed = typeof current === 'string' ? parseCidrOf(family, current) : undefined;
  const matches = parsed?.ok === true && parsed.cidr.prefix === wanted.prefix && cidrHolds(wanted, parsed.cidr);
  if (!matches) {
    plan.problems.push({ key, found: current, expected: wanted.text,
      fix: `inconsistent network: flannel would carry ${JSON.stringify(current)} while the pods get addresses from ${wanted.text}; set ${key} to ${wanted.text}` });
  }
}

function booleanKey(conf: Record<string, unknown>, key: string, wanted: boolean, plan: NetConfPlan, why: string, defaultValue: boolean): void {
  const current = conf[key];
  // flanneld decodes these into Go bools: a string "true" fails json.Unmarshal and flanneld does not start.
  if (current === wanted || (current === undefined && defaultValue === wanted)) return;
  plan.edits.push({ key, found: current, expected: wanted, why: typeof current === 'string' ? `${why}; flanneld reads a JSON boolean, and the string ${JSON.stringify(current)} stops it from starting` : why });
}

/** What net-conf.json must say for the mode: edits the webhook makes, and problems it cannot fix without guessing. */
export function planNetConf(conf: Record<string, unknown>, intent: NetConfIntent): NetConfPlan {
  const plan: NetConfPlan = { edits: [], problems: [] };
  // ParseConfig sets EnableIPv4 = true before decoding (pkg/subnet/config.go:58-59), so absent means true.
  booleanKey(conf, 'EnableIPv6', true, plan, 'flannel carries IPv6 pod traffic only with EnableIPv6', false);
  networkKey(conf, 'IPv6Network', 'ipv6', intent.ipv6Network, plan, `the IPv6 pod network is the cluster's pod CIDR (podCIDR ${intent.ipv6Network.text})`);
  if (intent.mode === 'ipv6-only') {
    booleanKey(conf, 'EnableIPv4', false, plan, 'an IPv6-only flannel needs "EnableIPv4": false (IPv4 is on by default)', true);
  } else {
    booleanKey(conf, 'EnableIPv4', true, plan, 'dual-stack keeps IPv4', true);
    if (intent.ipv4Network) networkKey(conf, 'Network', 'ipv4', intent.ipv4Network, plan, `the IPv4 pod network is ipv4PodCIDR ${intent.ipv4Network.text}`);
  }
  const type = backendType(conf);
  if (!IPV6_BACKENDS.includes(type)) {
    plan.problems.push({ key: 'Backend.Type', found: conf.Backend === undefined ? undefined : type, expected: 'vxlan, host-gw or wireguard',
      fix: `flannel carries IPv6 only with the vxlan, host-gw or wireguard backend${conf.Backend === undefined ? ' (with no Backend flanneld runs udp)' : ''}; set "Backend": {"Type": "vxlan"}` });
  }
  return plan;
}

/** The flannel daemon image (not flannel-cni-plugin), by its last path segment, in any registry. */
export function isFlannelImage(image: unknown): image is string {
  if (typeof image !== 'string') return false;
  const name = parseImage(image).name;
  return name === 'flannel' || name === 'mirrored-flannelio-flannel';
}

function flannelVersion(image: string): Version | undefined {
  const tag = parseImage(image).tag;
  return tag === undefined ? undefined : parseVersion(tag.replace(/-(amd64|arm64|arm|ppc64le|s390x)$/, ''));
}

/** The first flannel release that runs this mode with this backend. */
function flannelMinimum(mode: Mode, backend: string): Version {
  const forMode = mode === 'ipv6-only' ? FLANNEL_FEATURES.ipv6Only : FLANNEL_FEATURES.dualStack;
  return backend === 'wireguard' && !atLeast(forMode, FLANNEL_FEATURES.wireguardIPv6) ? FLANNEL_FEATURES.wireguardIPv6 : forMode;
}

/** undefined when the image is recent enough; else why not, naming the versions. */
export function flannelTooOld(image: string, mode: Mode, backend: string): string | undefined {
  const found = flannelVersion(image);
  if (!found) return undefined;
  const minimum = flannelMinimum(mode, backend);
  if (atLeast(found, minimum)) return undefined;
  const what = mode === 'ipv6-only' ? 'IPv6-only ("EnableIPv4": false)' : 'IPv6 (EnableIPv6, IPv6Network)';
  return `flannel ${formatVersion(found)} has no ${what}${backend === 'wireguard' ? ' over wireguard' : ''}: it needs flannel >= ${formatVersion(minimum)}`;
}
