// calico-node DaemonSet (DESIGN 3.1): the pool, address autodetection, Felix IPv6 and the BGP router ID.
import { ContainerEnv, KUBERNETES_SERVICES_ENDPOINT } from '../shared/container-env.js';
import { CALICO_FEATURES, NEWEST, describeVersion, resolveCalicoVersion, supports, versionFromImage } from '../shared/calico-version.js';
import { namespaceOf, type KubeObject } from '../../k8s/object.js';
import { imageNamed, workloadContainers, type Container } from '../shared/workload.js';
import { cidrHolds, cidrEquals, isIpv4Address, parseIpv6Address, parseIpv6Cidr, reservedOverlap } from '../../net/ranges.js';
import { formatVersion, type Version } from '../../k8s/versions.js';
import { Report, shown } from '../report.js';
import { defineTarget, type DoctorItem, type Evidence, type RuleContext } from '../target.js';
import { RULE, createsPools, foundOf, mayRunBird, setVar, unset, valueOf, writable, type NodeEnv } from './env.js';
import { mutatePoolSettings, validatePoolSettings, POOL_VARS } from './pools.js';
import { operatorEvidence } from '../../calico/operator-managed.js';
import { felixBool } from '../../calico/node-env.js';
import { mutateInlineCni, validateInlineCni } from './cni.js';


/** The container that runs calico/node: by name, or by image in any registry. */
function calicoNodeContainer(object: KubeObject, report: Report): { container: Container; index: number } | undefined {
  const containers = workloadContainers(object, RULE, report);
  let index = containers.findIndex((c) => c.name === 'calico-node');
  if (index < 0) index = containers.findIndex((c) => imageNamed(c.image, ['calico/node']));
  const container = containers[index];
  return container ? { container, index } : undefined;
}

/**
 * Calico's own operator renders this DaemonSet (its owner reference, label or annotations say so; the
 * namespace alone does not): changes belong in its Installation resource.
 */
function operatorManaged(object: KubeObject): string | undefined {
  return operatorEvidence(object);
}

function target(object: KubeObject, ctx: RuleContext, report: Report): NodeEnv | undefined {
  const found = calicoNodeContainer(object, report);
  if (!found) return undefined;
  const env = ContainerEnv.of(found.container, found.index, RULE, report);
  if (!env) return undefined;
  return { env, image: found.container.image, calico: resolveCalicoVersion(found.container.image, ctx), namespace: namespaceOf(object), ctx };
}

function warnDuplicates(t: NodeEnv, report: Report, names: readonly string[]): void {
  for (const name of names) {
    const indices = t.env.indicesOf(name);
    if (indices.length > 1) {
      report.warn(`calico-node: ${name} appears ${indices.length} times in env; the last entry (env[${indices[indices.length - 1]}]) is the one calico-node reads and the one checked`);
    }
  }
}

const TARGET_VARS = ['CALICO_IPV6POOL_CIDR', 'IP6', 'FELIX_IPV6SUPPORT', 'IP', 'CALICO_ROUTER_ID', ...POOL_VARS] as const;

/** Every variable the calico-node rules read: each is resolved through value, valueFrom and envFrom, and warned about when it cannot be. */
export const READ_VARS = [...TARGET_VARS, 'NO_DEFAULT_POOLS', 'CALICO_IPV6POOL_BLOCK_SIZE', 'CALICO_IPV4POOL_BLOCK_SIZE', 'CALICO_IPV4POOL_VXLAN', 'CALICO_IPV6POOL_IPIP', 'CALICO_NETWORKING', 'FELIX_PROGRAMCLUSTERROUTES'] as const;

function mutate(object: KubeObject, ctx: RuleContext, report: Report): void {
  if (operatorManaged(object)) return;
  const t = target(object, ctx, report);
  if (!t) return;
  const { config } = ctx;
  warnDuplicates(t, report, TARGET_VARS);

  const pool = writable(t, 'CALICO_IPV6POOL_CIDR');
  // Read as validation reads it (valueFrom and envFrom too): with NO_DEFAULT_POOLS=true, or a value that may
  // be true, a pool variable would make calico-node exit (startup.go:910-914).
  if (pool && unset(pool) && createsPools(t) === true) {
    setVar(t, report, 'CALICO_IPV6POOL_CIDR', config.podCIDR.text, foundOf(pool),
      `the IPv6 pool is the cluster's pod CIDR (--cluster-cidr ${config.podCIDR.text})`, 'ipv6-pool');
  }

  const ip6 = writable(t, 'IP6');
  // An empty IP6 does not autodetect in Calico: it leaves IPv6 off on the node (startup.go:658-681).
  if (ip6 && unset(ip6)) setVar(t, report, 'IP6', 'autodetect', foundOf(ip6), 'each node autodetects its IPv6 address', 'ip6');

  const felix = writable(t, 'FELIX_IPV6SUPPORT');
  // Felix's own boolean parsing (felix/config/param_types.go:91-99); a YAML boolean is written back as a string.
  if (felix && (felix.kind === 'absent' || typeof felix.raw !== 'string' || felixBool(felix.value) !== true)) {
    setVar(t, report, 'FELIX_IPV6SUPPORT', 'true', foundOf(felix), 'Felix programs IPv6 routes and policy only when this is "true"', 'felix-ipv6');
  }

  mutatePoolSettings(t, report);
  mutateInlineCni(object, t.calico.version, ctx, report);

  const ip = writable(t, 'IP');
  if (config.mode === 'dual-stack') {
    // Dual-stack keeps IPv4: each node autodetects its IPv4 address too.
    if (ip && unset(ip)) setVar(t, report, 'IP', 'autodetect', foundOf(ip), 'dual-stack keeps IPv4: each node autodetects its IPv4 address', 'ip');
    return;
  }
  if (ip && supports(t.calico.version, 'ipNone') && (ip.kind === 'absent' || ['', 'autodetect'].includes(ip.value.trim()))) {
    setVar(t, report, 'IP', 'none', foundOf(ip), 'an IPv6-only node has no IPv4 address: IP=none', 'ip-none');
  }
  // IP may come from valueFrom or envFrom: read it as validation does, or the router ID would be missing there.
  const ipNow = valueOf(t, 'IP');
  const routerId = writable(t, 'CALICO_ROUTER_ID');
  // An empty value is unset for calico-node (as for IP6), so it is filled like an absent one. Only BIRD reads
  // it: the vxlan and none backends need none.
  if (ipNow === 'none' && routerId && unset(routerId) && config.routerID === 'hash' && supports(t.calico.version, 'routerIdHash') && mayRunBird(t)) {
    setVar(t, report, 'CALICO_ROUTER_ID', 'hash', foundOf(routerId), 'with IP=none BGP needs a router ID; hash derives a distinct one from each node name', 'router-id');
  }
}

function validatePool(t: NodeEnv, ctx: RuleContext, report: Report): void {
  const { config } = ctx;
  const path = t.env.entryPath('CALICO_IPV6POOL_CIDR');
  const poolText = t.env.valueOf('CALICO_IPV6POOL_CIDR', ctx, t.namespace);
  const creates = createsPools(t);
  const rule = `${RULE}/ipv6-pool`;
  if (creates === 'unknown') {
    if (poolText === undefined || poolText.trim() === '') report.warn(`calico-node: NO_DEFAULT_POOLS may be set by ${t.env.unreadableSourcesFor('NO_DEFAULT_POOLS', ctx, t.namespace).join(', ') || 'a source the webhook cannot read'}; no pool variable was added, because with NO_DEFAULT_POOLS=true one makes calico-node exit. If it is not set there, add CALICO_IPV6POOL_CIDR=${config.podCIDR.text}`);
  }
  if (creates === false) {
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
  const reserved = reservedOverlap(pool);
  if (reserved) {
    report.problem({ rule, path, found: shown(poolText), expected: 'a routable IPv6 range', fix: `${pool.text} is ${reserved}, which Calico refuses for a pool; ${fix}` });
    return;
  }
  validateBlockSize(t, ctx, report, pool.prefix);
  if (!cidrHolds(config.podCIDR, pool)) {
    report.problem({ rule, path, found: shown(poolText), expected: `inside podCIDR ${config.podCIDR.text} (normally equal)`,
      fix: `inconsistent pool: pods would get addresses kube-proxy and the controller manager do not know; ${fix}` });
  } else if (!cidrEquals(config.podCIDR, pool)) {
    report.warn(`calico-node: CALICO_IPV6POOL_CIDR ${pool.text} is a proper subset of podCIDR ${config.podCIDR.text}; they are normally equal`);
  }
}

function validateBlockSize(t: NodeEnv, ctx: RuleContext, report: Report, poolPrefix: number): void {
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

function validateAddresses(t: NodeEnv, ctx: RuleContext, report: Report): void {
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

/**
 * With IP=none BIRD has no IPv4 address to take its router ID from. Only BIRD (through confd) reads
 * CALICO_ROUTER_ID: with the vxlan or none backend no BIRD runs (rc.local:45-61), whoever programs the routes
 * (Felix for VXLAN and with FELIX_PROGRAMCLUSTERROUTES), so no router ID is needed. A backend that cannot be
 * read may be bird, and is judged as bird. Felix programming the routes does not stop BIRD from starting.
 */
function validateRouterId(t: NodeEnv, ctx: RuleContext, report: Report): void {
  if (ctx.config.mode !== 'ipv6-only' || t.env.valueOf('IP', ctx, t.namespace) !== 'none' || !mayRunBird(t)) return;
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
      report.warn(`calico-node: CALICO_ROUTER_ID=hash before Calico v3.25 can give a node a router ID in 224.0.0.0/4, which its BGP peers refuse ("Bad BGP Identifier", projectcalico/calico#5146, fixed in v3.25.0); upgrade calico/node`);
    }
    return;
  }
  report.problem({
    rule, path, found: shown(read.value), expected: '"hash"',
    fix: DOTTED_QUAD.test(value)
      ? 'one literal router ID in a DaemonSet is shared by every node, and BGP peers refuse a second session with the same identifier; set CALICO_ROUTER_ID=hash'
      : 'set CALICO_ROUTER_ID=hash',
  });
}

/**
 * FELIX_IPV6SUPPORT as Felix parses it (BoolParam, felix/config/param_types.go): mutation writes a literal, but
 * one from valueFrom or envFrom (a ConfigMap saying "false") can only be checked. Unset is Felix's default,
 * true (felix/config/config_params.go:309, `Ipv6Support bool config:"bool;true"`).
 */
function validateFelix(t: NodeEnv, ctx: RuleContext, report: Report): void {
  const read = t.env.read('FELIX_IPV6SUPPORT', ctx, t.namespace);
  if (read.kind === 'absent' || read.kind === 'unreadable') return;
  if (felixBool(read.value) === true && (read.kind === 'resolved' || typeof read.raw === 'string')) return;
  const from = read.kind === 'resolved' ? read.source : undefined;
  report.problem({
    rule: `${RULE}/felix-ipv6`, path: from && read.index === undefined ? `${t.env.path}.envFrom` : t.env.entryPath('FELIX_IPV6SUPPORT'),
    found: from ? `${shown(read.value)} (from ${from})` : shown(read.kind === 'literal' ? read.raw : read.value), expected: '"true"',
    fix: `with ${shown(read.value)} Felix programs no IPv6 routes or policy, so pods get no working IPv6; ${from ? `set it to "true" in ${from}, or give the env entry the value "true"` : 'set FELIX_IPV6SUPPORT="true"'}`,
  });
}

function warnUnreadable(t: NodeEnv, ctx: RuleContext, report: Report): void {
  // The backend decides how IPv6 is carried between nodes (upstream manifests read it from calico-config).
  for (const name of READ_VARS) {
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
  if (oldEnv.valueOf('CALICO_IPV6POOL_CIDR') === undefined || felixBool(oldEnv.valueOf('FELIX_IPV6SUPPORT') ?? '') !== true) {
    report.warn('calico-node: this update turns an IPv4 calico-node to IPv6; the guide covers new clusters, and an existing IPPool is not changed by the pool variables (create the IPv6 IPPool yourself)');
  }
}

function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const managedBy = operatorManaged(object);
  if (managedBy) {
    report.warn(`calico-node: this DaemonSet is managed by the Tigera operator (${managedBy}), which reverts manual changes; set IPv6 in the Installation resource (spec.calicoNetwork.ipPools) instead`);
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
  validatePoolSettings(t, report);
  validateFelix(t, ctx, report);
  validateAddresses(t, ctx, report);
  validateRouterId(t, ctx, report);
  validateInlineCni(object, t.calico.version, ctx, report);
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
  const managedBy = operatorManaged(object);
  if (managedBy) {
    return { evidence: `${subject} is managed by the Tigera operator (${managedBy}), which renders the variables itself`, fix: 'set IPv6 in the operator\'s Installation resource (spec.calicoNetwork.ipPools) and check it there' };
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
  // Every Calico manifest's calico-node reads the API server's address from it through envFrom (issue 14).
  readsConfigMaps: [KUBERNETES_SERVICES_ENDPOINT],
  // Canal's etcd manifest names it canal-node; any DaemonSet running calico/node is calico-node.
  recognizes: (object) => workloadContainers(object, RULE, new Report()).some((c) => imageNamed(c.image, ['calico/node'])),
  recognizesCel: "has(object.spec) && has(object.spec.template) && has(object.spec.template.spec) && has(object.spec.template.spec.containers) && object.spec.template.spec.containers.exists(c, has(c.image) && c.image.matches('(^|/)calico/node([:@]|$)'))",
  mutate,
  // The calico-node container's env, and install-cni's inline CNI_NETWORK_CONFIG (an init container, or a container in Calico v2).
  writes: ['spec.template.spec.containers[*].env', 'spec.template.spec.initContainers[*].env'],
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
      { item: 'ipv4-pool', title: 'calico-node CALICO_IPV4POOL_CIDR: none in IPv6-only (v3.29+), the IPv4 pod CIDR in dual-stack', rules: ['calico-node/ipv4-pool', 'calico-node/ipv4-block-size'], reads: ['CALICO_IPV4POOL_CIDR'] },
      { item: 'nat-outgoing', title: 'calico-node CALICO_IPV6POOL_NAT_OUTGOING as ipv6NATOutgoing says (true for a ULA pod CIDR)', rules: ['calico-node/ipv6-nat-outgoing'], reads: ['CALICO_IPV6POOL_NAT_OUTGOING'] },
      { item: 'ipv6-carrier', title: 'IPv6 pod traffic has a carrier between nodes: BIRD, or an IPv6 VXLAN pool with the vxlan backend', rules: ['calico-node/backend', 'calico-node/ipv6-encapsulation', 'calico-node/ipv6-vxlan-ignored', 'calico-node/bpf-ipv6'], reads: ['CALICO_NETWORKING_BACKEND', 'CALICO_IPV6POOL_VXLAN'] },
    ],
    unjudgeable,
    evidence,
  },
});
