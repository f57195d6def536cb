// calico-node's default pools beyond the IPv6 CIDR (issue 14): the IPv4 pool (none in IPv6-only, the IPv4 pod
// CIDR in dual-stack), IPv6 NAT outgoing, and whether IPv6 pod traffic has a carrier between nodes (the
// backend and the pool's encapsulation), each read the way calico-node's startup code reads it.
import { BLOCK_SIZE, poolCidrSetting, poolEncapMode, startupBool, NAT_OUTGOING_DEFAULT, felixBool, type NetworkingBackend } from '../../calico/node-env.js';
import { ipv6Encapsulation } from '../../calico/encapsulation.js';
import { cidrHolds, parseIpv4Cidr, reservedOverlap } from '../../net/ranges.js';
import { formatVersion } from '../../k8s/versions.js';
import { CALICO_FEATURES, IPV6_VXLAN_IGNORED, describeVersion, ignoresIpv6VxlanWithoutIpv4Pool, supports } from '../shared/calico-version.js';
import { RULE, backendOf, createsPools, felixRoutesUnencapsulated, foundOf, readVar, setVar, unset, valueOf, writable, type NodeEnv } from './env.js';
import { shown, type Report } from '../report.js';

export const POOL_VARS = ['CALICO_IPV4POOL_CIDR', 'CALICO_IPV6POOL_NAT_OUTGOING', 'CALICO_IPV6POOL_VXLAN', 'CALICO_NETWORKING_BACKEND', 'FELIX_BPFENABLED'] as const;

const DEFAULT_IPV4_POOL = '192.168.0.0/16';

export function mutatePoolSettings(t: NodeEnv, report: Report): void {
  const { config } = t.ctx;
  // With NO_DEFAULT_POOLS=true any non-empty pool variable, "none" included, makes calico-node exit (startup.go:910-914).
  const creates = createsPools(t) === true;
  const v4 = writable(t, 'CALICO_IPV4POOL_CIDR');
  const backend = backendOf(t);
  if (creates && v4 && unset(v4) && config.mode === 'ipv6-only' && wouldIgnoreIpv6Vxlan(t, backend)) {
    report.warn(`calico-node: CALICO_IPV4POOL_CIDR=none not added: ${IPV6_VXLAN_IGNORED}; calico-node creates its default IPv4 pool instead (delete it after install), or upgrade calico/node`);
  } else if (creates && v4 && unset(v4)) {
    if (config.mode === 'dual-stack' && config.ipv4PodCIDR) {
      setVar(t, report, 'CALICO_IPV4POOL_CIDR', config.ipv4PodCIDR.text, foundOf(v4), `the IPv4 pool is the cluster's IPv4 pod CIDR (ipv4PodCIDR ${config.ipv4PodCIDR.text}); unset, calico-node would pick ${DEFAULT_IPV4_POOL}`, 'ipv4-pool');
    } else if (config.mode === 'ipv6-only' && supports(t.calico.version, 'ipv4PoolNone')) {
      setVar(t, report, 'CALICO_IPV4POOL_CIDR', 'none', foundOf(v4), `an IPv6-only cluster has no IPv4 pool; unset, calico-node creates ${DEFAULT_IPV4_POOL}`, 'ipv4-pool');
    }
  }

  const nat = writable(t, 'CALICO_IPV6POOL_NAT_OUTGOING');
  // Unset is false (startup.go:1073): only a true setting needs writing.
  if (creates && nat?.kind === 'absent' && config.ipv6NATOutgoing) {
    setVar(t, report, 'CALICO_IPV6POOL_NAT_OUTGOING', 'true', undefined, natReason(t), 'ipv6-nat-outgoing');
  }

  const v6vxlan = writable(t, 'CALICO_IPV6POOL_VXLAN');
  if (creates && backend && v6vxlan && supports(t.calico.version, 'vxlanIPv6')) {
    const v4vxlan = valueOf(t, 'CALICO_IPV4POOL_VXLAN');
    const verdict = ipv6Encapsulation(backend, v4vxlan, v6vxlan.kind === 'absent' ? undefined : v6vxlan.value, felixRoutesUnencapsulated(t));
    if (verdict.kind === 'set') {
      setVar(t, report, 'CALICO_IPV6POOL_VXLAN', verdict.to, foundOf(v6vxlan), verdict.why, 'ipv6-encapsulation');
      report.warn(`calico-node: CALICO_IPV6POOL_VXLAN was ${shown(foundOf(v6vxlan))}; with CALICO_NETWORKING_BACKEND "vxlan" no BIRD routes an unencapsulated IPv6 pool, so it is now "${verdict.to}", following CALICO_IPV4POOL_VXLAN ${shown(v4vxlan)}`);
    }
  }
}

/** Whether this release would create the IPv6 pool unencapsulated although VXLAN is (or will be) asked for (#12896). */
function wouldIgnoreIpv6Vxlan(t: NodeEnv, backend: NetworkingBackend | undefined): boolean {
  if (!ignoresIpv6VxlanWithoutIpv4Pool(t.calico.version)) return false;
  const v6 = readVar(t, 'CALICO_IPV6POOL_VXLAN');
  const mode = poolEncapMode(v6.kind === 'literal' || v6.kind === 'resolved' ? v6.value : undefined);
  return backend === 'vxlan' || (mode !== undefined && mode !== 'Never');
}

/** CALICO_IPV4POOL_CIDR=none with an IPv6 VXLAN pool on a release with #12896: refused when nothing else routes IPv6. */
function validateIpv6VxlanIgnored(t: NodeEnv, backend: NetworkingBackend | undefined, v6: string | undefined, report: Report): void {
  const v4 = readVar(t, 'CALICO_IPV4POOL_CIDR');
  if (v4.kind !== 'literal' && v4.kind !== 'resolved') return;
  const mode = poolEncapMode(v6);
  if (poolCidrSetting(v4.value).kind !== 'none' || mode === undefined || mode === 'Never' || createsPools(t) !== true) return;
  if (!ignoresIpv6VxlanWithoutIpv4Pool(t.calico.version)) return;
  const fix = `upgrade calico/node to v3.31.7, v3.32.2 or v3.33.0 or later, or remove CALICO_IPV4POOL_CIDR=none (an IPv4 pool is then created; delete it after install)`;
  if (backend === 'vxlan' && !felixRoutesUnencapsulated(t)) {
    report.problem({ rule: `${RULE}/ipv6-vxlan-ignored`, path: t.env.entryPath('CALICO_IPV4POOL_CIDR'), found: shown(v4.value), expected: `unset, or calico/node with #13115 (running ${describeVersion(t.calico.version)})`,
      fix: `${IPV6_VXLAN_IGNORED}; with the vxlan backend no BIRD routes it, so cross-node IPv6 pod traffic breaks; ${fix}${supports(t.calico.version, 'felixClusterRoutes') ? `; or set FELIX_PROGRAMCLUSTERROUTES=Enabled so that Felix routes the unencapsulated pool (${FELIX_CONFIGURATION_ALTERNATIVE})` : ''}` });
  } else {
    report.warn(`calico-node: ${IPV6_VXLAN_IGNORED}, so CALICO_IPV6POOL_VXLAN=${v6 ?? ''} has no effect on ${describeVersion(t.calico.version)} (${backend === 'vxlan' ? 'Felix' : 'BIRD'} routes the pool instead); ${fix}`);
  }
}

/**
 * Felix reads programClusterRoutes from the FelixConfiguration resources too (config_params.go v3.31.0:303),
 * the env taking precedence (SourcesInDescendingOrder, config_params.go v3.31.0:81). The webhook honours the
 * resources only when cluster discovery has read them (felixRoutesUnencapsulated): here it was not known.
 */
const FELIX_CONFIGURATION_ALTERNATIVE = 'programClusterRoutes: Enabled in the FelixConfiguration "default" does the same when the env is unset, but the webhook accepts it only once cluster discovery has read it, with no node.<name> FelixConfiguration saying otherwise';

function natReason(t: NodeEnv): string {
  const { config } = t.ctx;
  return config.ipv6NATOutgoingSetting === 'auto'
    ? `podCIDR ${config.podCIDR.text} is unique local, which is not routed on the internet: pods reach it only through NAT (ipv6NATOutgoing auto)`
    : 'ipv6NATOutgoing is true';
}

export function validatePoolSettings(t: NodeEnv, report: Report): void {
  validateIpv4Pool(t, report);
  validateNatOutgoing(t, report);
  validateCarrier(t, report);
}

function validateIpv4Pool(t: NodeEnv, report: Report): void {
  const { config } = t.ctx;
  const read = readVar(t, 'CALICO_IPV4POOL_CIDR');
  if (read.kind === 'unreadable') return;
  const path = t.env.entryPath('CALICO_IPV4POOL_CIDR');
  const raw = read.kind === 'absent' ? undefined : read.value;
  const setting = poolCidrSetting(raw);
  const rule = `${RULE}/ipv4-pool`;
  const v = t.calico.version;
  if (setting.kind === 'none' && !supports(v, 'ipv4PoolNone')) {
    report.problem({ rule, path, found: shown(raw), expected: `calico/node >= ${formatVersion(CALICO_FEATURES.ipv4PoolNone)} for "none"`,
      fix: `calico/node ${describeVersion(v)} reads "none" as a CIDR and exits; remove CALICO_IPV4POOL_CIDR${config.mode === 'dual-stack' ? ` or set it to ${config.ipv4PodCIDR?.text ?? 'the IPv4 pod CIDR'}` : ''}, or upgrade calico/node` });
    return;
  }
  const creates = createsPools(t);
  if (config.mode === 'ipv6-only') {
    if (setting.kind === 'default' && creates === true && wouldIgnoreIpv6Vxlan(t, backendOf(t))) {
      report.warn(`calico-node: CALICO_IPV4POOL_CIDR is unset, so calico-node creates an IPv4 pool (${DEFAULT_IPV4_POOL} unless kubeadm's podSubnet says otherwise); do not set it to "none" on ${describeVersion(v)}: ${IPV6_VXLAN_IGNORED}`);
    } else if (setting.kind === 'default' && creates === true) {
      report.warn(supports(v, 'ipv4PoolNone')
        ? `calico-node: CALICO_IPV4POOL_CIDR is unset, so calico-node creates an IPv4 pool (${DEFAULT_IPV4_POOL} unless kubeadm's podSubnet says otherwise); set it to "none"`
        : `calico-node: calico-node creates the default IPv4 pool (${DEFAULT_IPV4_POOL} unless kubeadm's podSubnet says otherwise); CALICO_IPV4POOL_CIDR=none needs Calico v3.29 (running ${describeVersion(v)}), so delete the pool after install or upgrade`);
    } else if (setting.kind === 'cidr' && parseIpv4Cidr(setting.text).ok) {
      report.warn(supports(v, 'ipv4PoolNone')
        ? `calico-node: CALICO_IPV4POOL_CIDR=${setting.text} creates an IPv4 pool in an IPv6-only cluster; set it to "none"`
        : `calico-node: CALICO_IPV4POOL_CIDR=${setting.text} creates an IPv4 pool in an IPv6-only cluster; remove it (the value "none" needs Calico v3.29)`);
    }
    return;
  }
  // dual-stack
  const wanted = config.ipv4PodCIDR;
  if (!wanted) return;
  const fix = `set CALICO_IPV4POOL_CIDR to ${wanted.text}, the cluster's IPv4 pod CIDR (ipv4PodCIDR)`;
  if (setting.kind === 'none') {
    report.problem({ rule, path, found: shown(raw), expected: `${wanted.text} (dual-stack keeps IPv4)`,
      fix: `with no IPv4 pool calico-ipam has no IPv4 address to assign ("assign_ipv4": "true" in dual-stack), so every pod fails to start; ${fix}` });
    return;
  }
  if (setting.kind === 'default') {
    if (creates === false) report.warn(`calico-node: NO_DEFAULT_POOLS=true, so no IPv4 pool is created; create an IPPool with cidr ${wanted.text}`);
    return;
  }
  const parsed = parseIpv4Cidr(setting.text);
  if (!parsed.ok) {
    report.problem({ rule, path, found: shown(raw), expected: `an IPv4 CIDR inside ipv4PodCIDR ${wanted.text}`, fix: `${setting.text} ${parsed.reason}; ${fix}` });
    return;
  }
  const reserved = reservedOverlap(parsed.cidr);
  if (reserved) {
    report.problem({ rule, path, found: shown(raw), expected: 'a routable IPv4 range', fix: `${parsed.cidr.text} overlaps ${reserved}, which no pod address may use; ${fix}` });
    return;
  }
  if (!cidrHolds(wanted, parsed.cidr)) {
    report.problem({ rule, path, found: shown(raw), expected: `inside ipv4PodCIDR ${wanted.text} (normally equal)`, fix: `inconsistent pool: pods would get IPv4 addresses kube-proxy and the controller manager do not know; ${fix}` });
    return;
  }
  if (parsed.cidr.prefix !== wanted.prefix) report.warn(`calico-node: CALICO_IPV4POOL_CIDR ${parsed.cidr.text} is a proper subset of ipv4PodCIDR ${wanted.text}; they are normally equal`);
  validateIpv4BlockSize(t, report, parsed.cidr.prefix);
}

function validateIpv4BlockSize(t: NodeEnv, report: Report, poolPrefix: number): void {
  const text = valueOf(t, 'CALICO_IPV4POOL_BLOCK_SIZE');
  const { min, max } = BLOCK_SIZE.ipv4;
  let block: number = BLOCK_SIZE.ipv4.default;
  if (text !== undefined && text !== '') {
    block = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(block >= min && block <= max)) {
      report.problem({ rule: `${RULE}/ipv4-block-size`, path: t.env.entryPath('CALICO_IPV4POOL_BLOCK_SIZE'), found: shown(text), expected: `a whole number from ${min} to ${max}`,
        fix: `calico-node exits on this (startup.go:799-826); set it between ${min} and ${max}, or remove it for the default ${BLOCK_SIZE.ipv4.default}` });
      return;
    }
  }
  if (poolPrefix > block) {
    report.problem({ rule: `${RULE}/ipv4-block-size`, path: t.env.entryPath('CALICO_IPV4POOL_CIDR'), found: `/${poolPrefix}`, expected: `/${block} or larger (the block size)`,
      fix: `a pool must hold at least one /${block} block; widen the pool or raise CALICO_IPV4POOL_BLOCK_SIZE` });
  }
}

function validateNatOutgoing(t: NodeEnv, report: Report): void {
  const { config } = t.ctx;
  const read = readVar(t, 'CALICO_IPV6POOL_NAT_OUTGOING');
  // Unset needs nothing here: mutation adds it when it should be true.
  if (read.kind === 'unreadable' || read.kind === 'absent') return;
  // evaluateENVBool (startup.go:842-858): set means true unless false/0/no/n/f.
  const effective = startupBool(read.value, NAT_OUTGOING_DEFAULT.ipv6);
  if (effective !== config.ipv6NATOutgoing) {
    report.warn(`calico-node: CALICO_IPV6POOL_NAT_OUTGOING=${shown(read.value)} means NAT outgoing ${effective ? 'on' : 'off'} for calico-node, but ipv6NATOutgoing is ${config.ipv6NATOutgoingSetting}${config.ipv6NATOutgoingSetting === 'auto' ? ` (${config.ipv6NATOutgoing} for podCIDR ${config.podCIDR.text})` : ''}; ${config.ipv6NATOutgoing ? 'pods in a range that is not routed on the internet have no IPv6 egress without NAT' : 'pods with routable addresses are usually not NATed'}`);
  }
}

/** IPv6 pod traffic between nodes needs a carrier: BIRD for an unencapsulated pool, else VXLAN (v3.23+). */
function validateCarrier(t: NodeEnv, report: Report): void {
  const v = t.calico.version;
  const backendRead = readVar(t, 'CALICO_NETWORKING_BACKEND');
  const backend = backendOf(t);
  const backendPath = t.env.entryPath('CALICO_NETWORKING_BACKEND');
  if (backend === 'vxlan' && !supports(v, 'vxlanIPv6')) {
    report.problem({ rule: `${RULE}/backend`, path: backendPath, found: shown(backendRead.kind === 'absent' || backendRead.kind === 'unreadable' ? undefined : backendRead.value), expected: '"bird" (or vxlan on Calico >= v3.23)',
      fix: `IPv6 routing over VXLAN needs Calico >= v3.23 (running ${describeVersion(v)}), and the vxlan backend runs no BIRD to route an unencapsulated IPv6 pool; use calico_backend bird or upgrade` });
  }
  const v6Read = readVar(t, 'CALICO_IPV6POOL_VXLAN');
  const v6Path = t.env.entryPath('CALICO_IPV6POOL_VXLAN');
  const v6 = v6Read.kind === 'absent' || v6Read.kind === 'unreadable' ? undefined : v6Read.value;
  if (v6 !== undefined && v6 !== 'Never' && !supports(v, 'vxlanIPv6')) {
    report.warn(`calico-node: CALICO_IPV6POOL_VXLAN=${v6} needs Calico >= v3.23 for IPv6 VXLAN (running ${describeVersion(v)})`);
  }
  if (v6Read.kind !== 'unreadable' && backend && createsPools(t) === true) {
    const verdict = ipv6Encapsulation(backend, valueOf(t, 'CALICO_IPV4POOL_VXLAN'), v6, felixRoutesUnencapsulated(t));
    if (verdict.kind === 'invalid') {
      report.problem({ rule: `${RULE}/ipv6-encapsulation`, path: v6Path, found: shown(v6), expected: '"Never", "CrossSubnet" or "Always"', fix: `${verdict.why}; set one of those` });
    } else if (verdict.kind === 'set' && supports(v, 'vxlanIPv6')) {
      // Mutation sets it; left here only when it was off or bypassed, or the value came from a ConfigMap.
      report.problem({ rule: `${RULE}/ipv6-encapsulation`, path: v6Path, found: shown(v6), expected: `"${verdict.to}"`,
        fix: `with CALICO_NETWORKING_BACKEND "vxlan" no BIRD runs, and an unencapsulated IPv6 pool is routed by nothing (the Tigera operator refuses this: "unencapsulated IP pools require that BGP is enabled"); set CALICO_IPV6POOL_VXLAN=${verdict.to}${supports(v, 'felixClusterRoutes') ? `, or FELIX_PROGRAMCLUSTERROUTES=Enabled so that Felix programs the routes (${FELIX_CONFIGURATION_ALTERNATIVE})` : ''}` });
    }
  }
  validateIpv6VxlanIgnored(t, backend, v6, report);
  if (readVar(t, 'CALICO_IPV6POOL_IPIP').kind !== 'absent') {
    report.warn('calico-node: CALICO_IPV6POOL_IPIP is ignored: IPIP never carries IPv6, and calico-node creates the IPv6 pool with IPIP Never (startup.go:1076)');
  }
  const bpf = valueOf(t, 'FELIX_BPFENABLED');
  // IPv6 alone from v3.27, both families from v3.28 (calico-version.ts cites Felix).
  const needed = t.ctx.config.mode === 'dual-stack' ? 'bpfDualStack' : 'bpfIPv6';
  if (bpf !== undefined && felixBool(bpf) === true && !supports(v, needed)) {
    const what = needed === 'bpfDualStack' ? 'dual-stack (IPv4 and IPv6 together)' : 'IPv6';
    report.problem({ rule: `${RULE}/bpf-ipv6`, path: t.env.entryPath('FELIX_BPFENABLED'), found: shown(bpf), expected: `calico/node >= ${formatVersion(CALICO_FEATURES[needed])} for ${what} in the eBPF dataplane`,
      fix: `the eBPF dataplane carries ${what} from Calico ${formatVersion(CALICO_FEATURES[needed])} (running ${describeVersion(v)}); upgrade calico/node, or turn the eBPF dataplane off` });
  }
}
