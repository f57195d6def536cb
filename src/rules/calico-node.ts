// calico-node DaemonSet (DESIGN 3.1): the pool, address autodetection, Felix IPv6 and the BGP router ID.
import { ContainerEnv } from './container-env.js';
import { CALICO_FEATURES, NEWEST, describeVersion, resolveCalicoVersion, supports, versionFromImage, type ResolvedVersion } from './calico-version.js';
import { isRecord, namespaceOf, type KubeObject } from '../k8s/object.js';
import { imageNamed, workloadContainers, type Container } from './workload.js';
import { cidrContains, cidrEquals, isIpv4Address, isIpv4Cidr, parseIpv6Address, parseIpv6Cidr, reservedRangeOf } from '../net/cidr.js';
import { formatVersion, type Version } from '../k8s/versions.js';
import { Report, shown } from './report.js';
import { defineTarget, type DoctorItem, type Evidence, type RuleContext } from './target.js';

const RULE = 'calico-node';

/** The container that runs calico/node: by name, or by image in any registry. */
function calicoNodeContainer(object: KubeObject, report: Report): { container: Container; index: number } | undefined {
  const containers = workloadContainers(object, RULE, report);
  let index = containers.findIndex((c) => c.name === 'calico-node');
  if (index < 0) index = containers.findIndex((c) => imageNamed(c.image, ['calico/node']));
  const container = containers[index];
  return container ? { container, index } : undefined;
}

/** Calico's own operator renders this DaemonSet; changes belong in its Installation resource. */
function operatorManaged(object: KubeObject): boolean {
  const owners = object.metadata?.ownerReferences;
  const ownedByOperator = Array.isArray(owners) && owners.some((o) => isRecord(o) && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('operator.tigera.io/'));
  return ownedByOperator || namespaceOf(object) === 'calico-system';
}

const TRUE_VALUES = new Set(['true', 'True', 'TRUE', 't', 'T', '1']);

interface Target {
  env: ContainerEnv;
  image: unknown;
  calico: ResolvedVersion;
  namespace: string | undefined;
}

function target(object: KubeObject, ctx: RuleContext, report: Report): Target | undefined {
  const found = calicoNodeContainer(object, report);
  if (!found) return undefined;
  const env = ContainerEnv.of(found.container, found.index, RULE, report);
  if (!env) return undefined;
  return { env, image: found.container.image, calico: resolveCalicoVersion(found.container.image, ctx), namespace: namespaceOf(object) };
}

/** Target variables whose value cannot be read from the manifest are left alone (never guessed). */
function literalOrAbsent(t: Target, name: string): { kind: 'absent' } | { kind: 'literal'; value: string; raw: unknown } | undefined {
  const read = t.env.read(name);
  return read.kind === 'absent' || read.kind === 'literal' ? read : undefined;
}

function setVar(t: Target, report: Report, name: string, value: string, found: unknown, fix: string, check: string): void {
  t.env.set(name, value);
  report.change({ rule: `${RULE}/${check}`, path: t.env.entryPath(name), found: shown(found), expected: shown(value), fix });
}

function warnDuplicates(t: Target, report: Report, names: readonly string[]): void {
  for (const name of names) {
    const indices = t.env.indicesOf(name);
    if (indices.length > 1) {
      report.warn(`calico-node: ${name} appears ${indices.length} times in env; the last entry (env[${indices[indices.length - 1]}]) is the one calico-node reads and the one checked`);
    }
  }
}

const TARGET_VARS = ['CALICO_IPV6POOL_CIDR', 'IP6', 'FELIX_IPV6SUPPORT', 'IP', 'CALICO_ROUTER_ID'] as const;

function mutate(object: KubeObject, ctx: RuleContext, report: Report): void {
  if (operatorManaged(object)) return;
  const t = target(object, ctx, report);
  if (!t) return;
  const { config } = ctx;
  warnDuplicates(t, report, TARGET_VARS);

  const pool = literalOrAbsent(t, 'CALICO_IPV6POOL_CIDR');
  // Read as validation reads it (through a valueFrom lookup too), or the pool added here would be refused there.
  const noDefaultPools = TRUE_VALUES.has(t.env.valueOf('NO_DEFAULT_POOLS', ctx, t.namespace) ?? '');
  // With NO_DEFAULT_POOLS the operator manages IPPools; adding a pool variable would make calico-node exit.
  if (pool && (pool.kind === 'absent' || pool.value.trim() === '') && !noDefaultPools) {
    setVar(t, report, 'CALICO_IPV6POOL_CIDR', config.podCIDR.text, pool.kind === 'absent' ? undefined : pool.raw,
      `the IPv6 pool is the cluster's pod CIDR (--cluster-cidr ${config.podCIDR.text})`, 'ipv6-pool');
  }

  const ip6 = literalOrAbsent(t, 'IP6');
  // An empty IP6 does not autodetect in Calico: it disables IPv6 on the node.
  if (ip6 && (ip6.kind === 'absent' || ip6.value.trim() === '')) {
    setVar(t, report, 'IP6', 'autodetect', ip6.kind === 'absent' ? undefined : ip6.raw, 'each node autodetects its IPv6 address', 'ip6');
  }

  const felix = literalOrAbsent(t, 'FELIX_IPV6SUPPORT');
  if (felix && (felix.kind === 'absent' || typeof felix.raw !== 'string' || !TRUE_VALUES.has(felix.value))) {
    setVar(t, report, 'FELIX_IPV6SUPPORT', 'true', felix.kind === 'absent' ? undefined : felix.raw, 'Felix programs IPv6 routes and policy only when this is "true"', 'felix-ipv6');
  }

  if (config.mode !== 'ipv6-only') return;
  const ip = literalOrAbsent(t, 'IP');
  if (ip && supports(t.calico.version, 'ipNone') && (ip.kind === 'absent' || ['', 'autodetect'].includes(ip.value.trim()))) {
    setVar(t, report, 'IP', 'none', ip.kind === 'absent' ? undefined : ip.raw, 'an IPv6-only node has no IPv4 address: IP=none', 'ip-none');
  }
  const ipNow = t.env.valueOf('IP');
  const routerId = literalOrAbsent(t, 'CALICO_ROUTER_ID');
  // An empty value is unset for calico-node (as for IP6), so it is filled like an absent one.
  const routerIdUnset = routerId?.kind === 'absent' || (routerId?.kind === 'literal' && routerId.value.trim() === '');
  if (ipNow === 'none' && routerId && routerIdUnset && config.routerID === 'hash' && supports(t.calico.version, 'routerIdHash')) {
    setVar(t, report, 'CALICO_ROUTER_ID', 'hash', routerId.kind === 'absent' ? undefined : routerId.raw, 'with IP=none BGP needs a router ID; hash derives a distinct one from each node name', 'router-id');
  }
}

function validatePool(t: Target, ctx: RuleContext, report: Report): void {
  const { config } = ctx;
  const path = t.env.entryPath('CALICO_IPV6POOL_CIDR');
  const poolText = t.env.valueOf('CALICO_IPV6POOL_CIDR', ctx, t.namespace);
  const noDefaultPools = TRUE_VALUES.has(t.env.valueOf('NO_DEFAULT_POOLS', ctx, t.namespace) ?? '');
  const rule = `${RULE}/ipv6-pool`;
  if (noDefaultPools) {
    if (poolText !== undefined && poolText.trim() !== '') {
      report.problem({ rule: `${RULE}/no-default-pools`, path, found: shown(poolText), expected: 'absent while NO_DEFAULT_POOLS=true',
        fix: 'remove CALICO_IPV6POOL_CIDR (calico-node exits when both are set) and create an IPPool resource instead, or remove NO_DEFAULT_POOLS' });
    } else {
      report.warn(`calico-node: NO_DEFAULT_POOLS=true, so no IPv6 pool is created; create an IPPool with cidr ${config.podCIDR.text}`);
    }
    return;
  }
  if (poolText === undefined || poolText.trim() === '') return;
  const parsed = parseIpv6Cidr(poolText);
  const fix = `set CALICO_IPV6POOL_CIDR to ${config.podCIDR.text}, the cluster's pod CIDR (--cluster-cidr)`;
  if (!parsed.ok) {
    report.problem({ rule, path, found: shown(poolText), expected: `an IPv6 CIDR inside podCIDR ${config.podCIDR.text}`, fix: `${poolText} ${parsed.reason}; ${fix}` });
    return;
  }
  const pool = parsed.cidr;
  const reserved = reservedRangeOf(pool);
  if (reserved) {
    report.problem({ rule, path, found: shown(poolText), expected: 'a routable IPv6 range', fix: `${pool.text} is ${reserved}, which Calico refuses for a pool; ${fix}` });
    return;
  }
  validateBlockSize(t, ctx, report, pool.prefix);
  if (!cidrContains(config.podCIDR, pool)) {
    report.problem({ rule, path, found: shown(poolText), expected: `inside podCIDR ${config.podCIDR.text} (normally equal)`,
      fix: `inconsistent pool: pods would get addresses kube-proxy and the controller manager do not know; ${fix}` });
  } else if (!cidrEquals(config.podCIDR, pool)) {
    report.warn(`calico-node: CALICO_IPV6POOL_CIDR ${pool.text} is a proper subset of podCIDR ${config.podCIDR.text}; they are normally equal`);
  }
}

function validateBlockSize(t: Target, ctx: RuleContext, report: Report, poolPrefix: number): void {
  const path = t.env.entryPath('CALICO_IPV6POOL_BLOCK_SIZE');
  const blockText = t.env.valueOf('CALICO_IPV6POOL_BLOCK_SIZE', ctx, t.namespace);
  const rule = `${RULE}/block-size`;
  if (!supports(t.calico.version, 'poolBlockSize')) {
    if (blockText !== undefined) report.warn(`calico-node: CALICO_IPV6POOL_BLOCK_SIZE is ignored before Calico v3.3 (running ${describeVersion(t.calico.version)}); blocks are /122`);
    if (poolPrefix > 122) {
      report.problem({ rule, path: t.env.entryPath('CALICO_IPV6POOL_CIDR'), found: `/${poolPrefix}`, expected: '/122 or larger (a smaller prefix length)',
        fix: `before Calico v3.3 IPv6 blocks are /122, so the pool must be /122 or larger; widen the pool or upgrade calico/node` });
    }
    return;
  }
  let blockSize = 122;
  if (blockText !== undefined) {
    const parsed = /^\d+$/.test(blockText.trim()) ? Number(blockText.trim()) : NaN;
    if (!(parsed >= 116 && parsed <= 128)) {
      report.problem({ rule, path, found: shown(blockText), expected: 'a whole number from 116 to 128', fix: 'set CALICO_IPV6POOL_BLOCK_SIZE between 116 and 128, or remove it for the default 122' });
      return;
    }
    blockSize = parsed;
  }
  if (poolPrefix > blockSize) {
    report.problem({ rule, path: t.env.entryPath('CALICO_IPV6POOL_CIDR'), found: `/${poolPrefix}`, expected: `/${blockSize} or larger (the block size)`,
      fix: `a pool must hold at least one /${blockSize} block; widen the pool or raise CALICO_IPV6POOL_BLOCK_SIZE` });
  }
}

function validateAddresses(t: Target, ctx: RuleContext, report: Report): void {
  const ip6 = t.env.valueOf('IP6', ctx, t.namespace);
  if (ip6 !== undefined && ip6.trim() !== 'autodetect') {
    const value = ip6.trim();
    const literal = parseIpv6Address(value) !== undefined || isIpv4Address(value);
    report.problem({
      rule: `${RULE}/ip6`, path: t.env.entryPath('IP6'), found: shown(ip6), expected: '"autodetect"',
      fix: value === 'none' ? 'IP6=none turns IPv6 off on every node; set IP6=autodetect'
        : literal ? 'one literal address in a DaemonSet gives every node the same address; set IP6=autodetect (tune IP6_AUTODETECTION_METHOD if needed)'
          : 'set IP6=autodetect',
    });
  }

  const ip = t.env.valueOf('IP', ctx, t.namespace);
  const ipPath = t.env.entryPath('IP');
  const v = t.calico.version;
  if (ctx.config.mode === 'dual-stack') {
    if (ip === 'none') report.problem({ rule: `${RULE}/ip`, path: ipPath, found: shown(ip), expected: '"autodetect" (dual-stack keeps IPv4)', fix: 'set IP=autodetect, or switch the webhook to mode ipv6-only' });
    else if (ip !== undefined && isIpv4Address(ip.trim())) report.problem({ rule: `${RULE}/ip`, path: ipPath, found: shown(ip), expected: '"autodetect"', fix: 'one literal address in a DaemonSet gives every node the same address; set IP=autodetect' });
    return;
  }
  const read = t.env.read('IP', ctx, t.namespace);
  if (read.kind === 'unreadable') return;
  const value = read.kind === 'absent' ? '' : read.value.trim();
  if (value === 'none' && !supports(v, 'ipNone')) {
    // IP=none does not exist before v3.2: such a node would not start, whatever CALICO_ROUTER_ID says.
    report.problem({ rule: `${RULE}/ip-none`, path: ipPath, found: shown(read.kind === 'absent' ? undefined : read.value), expected: `calico/node >= ${formatVersion(CALICO_FEATURES.ipNone)} for IP=none`,
      fix: `calico/node ${describeVersion(v)} cannot run IPv6-only: IP=none needs calico/node >= ${formatVersion(CALICO_FEATURES.ipNone)}; upgrade calico/node (>= ${formatVersion(CALICO_FEATURES.routerIdHash)} for CALICO_ROUTER_ID=hash)` });
  } else if (value !== 'none') {
    const needsUpgrade = !supports(v, 'ipNone') && ['', 'autodetect'].includes(value);
    report.problem({
      rule: `${RULE}/ip-none`, path: ipPath, found: shown(read.kind === 'absent' ? undefined : read.value), expected: '"none" (IPv6-only)',
      fix: needsUpgrade
        ? `calico/node ${describeVersion(v)} cannot run IPv6-only: IP=none needs calico/node >= ${formatVersion(CALICO_FEATURES.ipNone)}; upgrade calico/node (>= ${formatVersion(CALICO_FEATURES.routerIdHash)} for CALICO_ROUTER_ID=hash)`
        : isIpv4Address(value) ? 'a literal IPv4 address on an IPv6-only node (and the same one on every node); set IP=none'
          : 'set IP=none',
    });
  }
}

const DOTTED_QUAD = /^\d{1,3}(\.\d{1,3}){3}$/;

function validateRouterId(t: Target, ctx: RuleContext, report: Report): void {
  if (ctx.config.mode !== 'ipv6-only' || t.env.valueOf('IP', ctx, t.namespace) !== 'none') return;
  const read = t.env.read('CALICO_ROUTER_ID', ctx, t.namespace);
  const path = t.env.entryPath('CALICO_ROUTER_ID');
  const v = t.calico.version;
  const rule = `${RULE}/router-id`;
  const hashOk = supports(v, 'routerIdHash');
  if (read.kind === 'unreadable') return;
  if (read.kind === 'absent' || read.value.trim() === '') {
    report.problem({
      rule, path, found: read.kind === 'absent' ? 'absent' : shown(read.value), expected: hashOk ? '"hash"' : 'a router ID for each node',
      fix: !hashOk
        ? `IP=none requires CALICO_ROUTER_ID; calico/node ${describeVersion(v)} has no "hash", so upgrade to >= ${formatVersion(CALICO_FEATURES.routerIdHash)} or set a distinct router ID on each Node (projectcalico.org/RouterID)`
        : 'IP=none requires CALICO_ROUTER_ID; set CALICO_ROUTER_ID=hash (routerID is "require", so the webhook does not add it)',
    });
    return;
  }
  const value = read.value.trim();
  if (value === 'hash') {
    if (!hashOk) {
      report.problem({ rule, path, found: shown(read.value), expected: 'a router ID calico/node understands',
        fix: `CALICO_ROUTER_ID=hash needs calico/node >= ${formatVersion(CALICO_FEATURES.routerIdHash)} (running ${describeVersion(v)}); upgrade calico/node` });
    } else if (!supports(v, 'routerIdHashSafe')) {
      report.warn(`calico-node: CALICO_ROUTER_ID=hash before Calico v3.25 can produce a router ID in the multicast range, which BIRD rejects; upgrade calico/node when you can`);
    }
    return;
  }
  report.problem({
    rule, path, found: shown(read.value), expected: '"hash"',
    fix: DOTTED_QUAD.test(value)
      ? 'one literal router ID in a DaemonSet is shared by every node and breaks BGP; set CALICO_ROUTER_ID=hash'
      : 'set CALICO_ROUTER_ID=hash',
  });
}

function validateOthers(t: Target, ctx: RuleContext, report: Report): void {
  const v = t.calico.version;
  const vxlan = t.env.valueOf('CALICO_IPV6POOL_VXLAN', ctx, t.namespace);
  if (vxlan !== undefined && vxlan !== 'Never' && !supports(v, 'vxlanIPv6')) {
    report.warn(`calico-node: CALICO_IPV6POOL_VXLAN=${vxlan} needs Calico >= v3.23 for IPv6 VXLAN (running ${describeVersion(v)})`);
  }
  const v4pool = t.env.valueOf('CALICO_IPV4POOL_CIDR', ctx, t.namespace);
  if (ctx.config.mode === 'ipv6-only' && v4pool !== undefined && v4pool !== 'none' && isIpv4Cidr(v4pool)) {
    report.warn(supports(v, 'ipv4PoolNone')
      ? `calico-node: CALICO_IPV4POOL_CIDR=${v4pool} creates an IPv4 pool in an IPv6-only cluster; set it to "none"`
      : `calico-node: CALICO_IPV4POOL_CIDR=${v4pool} creates an IPv4 pool in an IPv6-only cluster; remove it (the value "none" needs Calico v3.29)`);
  }
  const backend = t.env.valueOf('CALICO_NETWORKING_BACKEND', ctx, t.namespace);
  if (backend === 'vxlan' && ctx.config.mode === 'ipv6-only' && !supports(v, 'vxlanIPv6')) {
    report.problem({ rule: `${RULE}/backend`, path: t.env.entryPath('CALICO_NETWORKING_BACKEND'), found: shown(backend), expected: '"bird" (or vxlan on Calico >= v3.23)',
      fix: `IPv6 routing over VXLAN needs Calico >= v3.23 (running ${describeVersion(v)}); use calico_backend bird or upgrade` });
  }
}

function warnUnreadable(t: Target, ctx: RuleContext, report: Report): void {
  // Upstream manifests read the backend from calico-config; it only matters where VXLAN lacks IPv6.
  const backendMatters = ctx.config.mode === 'ipv6-only' && !supports(t.calico.version, 'vxlanIPv6');
  for (const name of [...TARGET_VARS, 'NO_DEFAULT_POOLS', ...(backendMatters ? ['CALICO_NETWORKING_BACKEND'] : [])]) {
    const read = t.env.read(name, ctx, t.namespace);
    if (read.kind === 'unreadable') {
      report.warn(`calico-node: ${name} comes from ${read.source}, which the webhook cannot read here; it was not checked or changed`);
    }
  }
}

/** Pool variables act only when calico-node first creates its pool: say so when an IPv4 node turns IPv6. */
function warnConversion(ctx: RuleContext, report: Report): void {
  if (ctx.operation !== 'UPDATE' || !ctx.oldObject) return;
  const scratch = new Report();
  const found = calicoNodeContainer(ctx.oldObject, scratch);
  if (!found) return;
  const oldEnv = ContainerEnv.of(found.container, found.index, RULE, scratch);
  if (!oldEnv) return;
  if (oldEnv.valueOf('CALICO_IPV6POOL_CIDR') === undefined || !TRUE_VALUES.has(oldEnv.valueOf('FELIX_IPV6SUPPORT') ?? '')) {
    report.warn('calico-node: this update turns an IPv4 calico-node to IPv6; the guide covers new clusters, and an existing IPPool is not changed by the pool variables (create the IPv6 IPPool yourself)');
  }
}

function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  if (operatorManaged(object)) {
    report.warn('calico-node: this DaemonSet is managed by the Tigera operator, which reverts manual changes; set IPv6 in the Installation resource (spec.calicoNetwork.ipPools) instead');
    return;
  }
  const t = target(object, ctx, report);
  if (!t) {
    report.warn(`calico-node: no container named calico-node or running calico/node was found; nothing was checked`);
    return;
  }
  if (t.calico.warning) report.warn(`calico-node: ${t.calico.warning}`);
  warnUnreadable(t, ctx, report);
  validatePool(t, ctx, report);
  validateAddresses(t, ctx, report);
  validateRouterId(t, ctx, report);
  validateOthers(t, ctx, report);
  warnConversion(ctx, report);
}

/** The Calico version the calico/node image of this object names, if any. */
function calicoVersionOf(object: KubeObject): Version | undefined {
  const found = calicoNodeContainer(object, new Report());
  const fromTag = typeof found?.container.image === 'string' ? versionFromImage(found.container.image) : undefined;
  return fromTag === 'newest' ? NEWEST : fromTag;
}

/** Doctor: the object cannot be judged when the operator renders it or no calico/node container is found. */
function unjudgeable(object: KubeObject): { evidence: string; fix: string } | undefined {
  const subject = `${object.kind ?? 'DaemonSet'} ${namespaceOf(object) ?? ''}/${typeof object.metadata?.name === 'string' ? object.metadata.name : '?'}`;
  if (operatorManaged(object)) {
    return { evidence: `${subject} is managed by the Tigera operator, which renders the variables itself`, fix: 'set IPv6 in the operator\'s Installation resource (spec.calicoNetwork.ipPools) and check it there' };
  }
  const found = calicoNodeContainer(object, new Report());
  if (!found || !ContainerEnv.of(found.container, found.index, RULE, new Report())) {
    return { evidence: `${subject} has no container named calico-node or running calico/node`, fix: 'check the DaemonSet\'s containers' };
  }
  return undefined;
}

/** Doctor's evidence for a passing item: `IP6="autodetect"`, or where an unresolved valueFrom leaves the value unknown. */
function evidence(object: KubeObject, item: DoctorItem, ctx: RuleContext): Evidence | undefined {
  const found = calicoNodeContainer(object, new Report());
  const env = found ? ContainerEnv.of(found.container, found.index, RULE, new Report()) : undefined;
  if (!env || !item.reads) return undefined;
  const unreadable: string[] = [];
  const parts = item.reads.map((name) => {
    const read = env.read(name, ctx, namespaceOf(object));
    if (read.kind === 'absent') return `${name} absent`;
    if (read.kind === 'literal') return `${name}=${shown(read.raw ?? '')}`;
    if (read.kind === 'resolved') return `${name}=${shown(read.value)} (from ${read.source})`;
    unreadable.push(`${name} comes from ${read.source}, which could not be read`);
    return `${name} from ${read.source} (unread)`;
  });
  return { text: parts.join(', '), unreadable };
}

export const calicoNodeTarget = defineTarget({
  id: RULE,
  description: 'calico-node / canal DaemonSet: IPv6 pool, IP6 autodetection, Felix IPv6 support, IP=none and router ID',
  // Watched by discovery: its image is the cluster's Calico version, its env refers to ConfigMaps.
  resources: [{ group: 'apps', versions: ['v1'], resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, names: ['calico-node', 'canal'], legacyGroups: ['extensions'], watch: true }],
  mutate,
  validate,
  calicoVersionOf,
  doctor: {
    items: [
      { item: 'ipv6-pool', title: 'calico-node CALICO_IPV6POOL_CIDR is the pod CIDR (--cluster-cidr)', rules: ['calico-node/ipv6-pool', 'calico-node/block-size', 'calico-node/no-default-pools'], reads: ['CALICO_IPV6POOL_CIDR'] },
      { item: 'ip6', title: 'calico-node IP6=autodetect', rules: ['calico-node/ip6'], reads: ['IP6'] },
      { item: 'felix-ipv6', title: 'calico-node FELIX_IPV6SUPPORT=true', rules: ['calico-node/felix-ipv6'], reads: ['FELIX_IPV6SUPPORT'] },
      { item: 'ip-none', title: 'calico-node IP=none (IPv6-only)', rules: ['calico-node/ip-none', 'calico-node/ip'], reads: ['IP'], modes: ['ipv6-only'] },
      { item: 'ip', title: 'calico-node keeps IPv4 (IP=autodetect) in dual-stack', rules: ['calico-node/ip-none', 'calico-node/ip'], reads: ['IP'], modes: ['dual-stack'] },
      { item: 'router-id', title: 'calico-node has a CALICO_ROUTER_ID for each node (IPv6-only)', rules: ['calico-node/router-id'], reads: ['CALICO_ROUTER_ID'], modes: ['ipv6-only'] },
    ],
    unjudgeable,
    evidence,
  },
});
