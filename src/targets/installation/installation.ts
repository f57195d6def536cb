// The Tigera operator's Installation (operator.tigera.io/v1): the operator renders calico-node from it,
// so IPv6 is set here: an IPv6 pool in spec.calicoNetwork.ipPools and IPv6 address autodetection.
// Validated as the operator validates it (pkg/controller/installation/validation.go, pkg/controller/ippool/).
import { CALICO_FEATURES, describeVersion, supports } from '../shared/calico-version.js';
import { IPV6_BLOCK_DEFAULT, judgeIpv6Pool } from '../shared/ipv6-pool.js';
import { isRecord, nameOf, type KubeObject } from '../../k8s/object.js';
import { canonicalCidr, cidrFamily } from '../../net/ranges.js';
import { ipv4PoolOutsidePodCIDR } from '../shared/pool-settings.js';
import { IPV4_MAPPED_EXPECTED, ipv4MappedFix, ipv4MappedRange } from '../ippool/ipv4-mapped.js';
import { formatVersion, parseVersion, type Version } from '../../k8s/versions.js';
import { Report, shown, type Finding } from '../report.js';
import { defineTarget, type DoctorItem, type Judgement, type RuleContext } from '../target.js';

const RULE = 'installation';
/**
 * The operator reconciles the Installation named default; one named overlay only overrides fields of it
 * (tigera/operator pkg/controller/utils/utils.go:73-75), so adding a calicoNetwork there would replace the
 * base's whole calicoNetwork. Only default is a target.
 */
const INSTALLATION_NAMES = ['default'] as const;
const NETWORK_PATH = 'spec.calicoNetwork';
const POOLS_PATH = `${NETWORK_PATH}.ipPools`;
const VXLAN = new Set(['VXLAN', 'VXLANCrossSubnet']);
const IPIP = new Set(['IPIP', 'IPIPCrossSubnet']);

type Pool = Record<string, unknown>;

/** What the operator's defaults make of the parts of the spec the pool rules depend on. */
interface Setup {
  network: Record<string, unknown>;
  /** undefined: the operator adds its default IPv4 pool; []: pools are managed out of band. */
  pools: Pool[] | undefined;
  ipamType: string;
  bgpEnabled: boolean;
  /** Felix, not BIRD, programs routes of unencapsulated pools: they need no BGP. */
  felixRoutesNoEncap: boolean;
  bpf: boolean;
  version: Version | undefined;
  label: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The Calico version: configured, else what the operator reports in status, else a hint from elsewhere. */
function calicoVersionOf(object: KubeObject, ctx: RuleContext): Version | undefined {
  const fromStatus = (o: KubeObject | undefined) => {
    const status = o && isRecord(o.status) ? o.status : undefined;
    const reported = status ? text(status.calicoVersion) : undefined;
    return reported ? parseVersion(reported) : undefined;
  };
  return ctx.config.calicoVersion ?? fromStatus(object) ?? fromStatus(ctx.oldObject) ?? ctx.calicoVersionHint;
}

function record(parent: Record<string, unknown>, key: string, path: string, report: Report, create: boolean): Record<string, unknown> | undefined {
  const value = parent[key];
  if (value === undefined) {
    if (!create) return undefined;
    const made: Record<string, unknown> = {};
    parent[key] = made;
    return made;
  }
  if (isRecord(value)) return value;
  report.malform({ rule: `${RULE}/shape`, path, found: shown(value), expected: 'a mapping', fix: `write ${path} as a mapping` });
  return undefined;
}

/** Reads the spec; with create, makes spec and calicoNetwork when absent (mutation only). */
function setupOf(object: KubeObject, ctx: RuleContext, report: Report, create: boolean): Setup | undefined {
  if (object.spec === undefined && create) object.spec = {};
  if (!isRecord(object.spec)) {
    if (object.spec !== undefined) report.malform({ rule: `${RULE}/shape`, path: 'spec', found: shown(object.spec), expected: 'a mapping', fix: 'write spec as a mapping' });
    return undefined;
  }
  const spec = object.spec;
  const cni = isRecord(spec.cni) ? spec.cni : {};
  const cniType = text(cni.type) ?? 'Calico';
  const ipamType = text(isRecord(cni.ipam) ? cni.ipam.type : undefined) ?? (cniType === 'Calico' ? 'Calico' : 'HostLocal');
  // Non-Calico CNI plugins address pods themselves; the operator's pools do not give them IPv6.
  if (cniType !== 'Calico') return undefined;
  const network = record(spec, 'calicoNetwork', NETWORK_PATH, report, create);
  if (!network) return undefined;
  let pools: Pool[] | undefined;
  if (network.ipPools !== undefined) {
    if (!Array.isArray(network.ipPools) || !network.ipPools.every(isRecord)) {
      report.malform({ rule: `${RULE}/shape`, path: POOLS_PATH, found: shown(network.ipPools), expected: 'a list of pool mappings', fix: 'write ipPools as a YAML list of mappings, each with a cidr' });
      return undefined;
    }
    pools = network.ipPools;
  }
  const provider = text(spec.kubernetesProvider);
  const bgp = text(network.bgp) ?? (provider === 'EKS' ? 'Disabled' : 'Enabled');
  return {
    network, pools, ipamType, bgpEnabled: bgp === 'Enabled', felixRoutesNoEncap: network.clusterRoutingMode === 'Felix',
    bpf: network.linuxDataplane === 'BPF', version: calicoVersionOf(object, ctx), label: `Installation ${nameOf(object) ?? '(unnamed)'}`,
  };
}

/** An IPv4-mapped range (::ffff:10.0.0.0/104) has no family here: it is refused, never kept or removed as IPv4. */
function familyOf(pool: Pool): 4 | 6 | undefined {
  return typeof pool.cidr === 'string' && !ipv4MappedRange(pool.cidr) ? cidrFamily(pool.cidr) : undefined;
}

function poolPath(pool: Pool, index: number): string {
  if (typeof pool.name === 'string' && pool.name !== '') return `${POOLS_PATH}[name=${pool.name}]`;
  if (typeof pool.cidr === 'string') return `${POOLS_PATH}[cidr=${pool.cidr}]`;
  return `${POOLS_PATH}[${index}]`;
}

/**
 * The encapsulation the operator accepts for the new IPv6 pool: the IPv4 pool's VXLAN mode when it used
 * one (and Calico carries IPv6 over VXLAN), None where BGP routes it, else VXLAN. Host-local IPAM
 * refuses VXLAN, and IPIP carries no IPv6.
 */
function chosenEncapsulation(setup: Setup): string {
  if (setup.ipamType === 'HostLocal') return 'None';
  const vxlanOk = setup.version === undefined || supports(setup.version, 'vxlanIPv6');
  const v4Vxlan = (setup.pools ?? []).filter((p) => familyOf(p) === 4).map((p) => text(p.encapsulation)).find((e) => e !== undefined && VXLAN.has(e));
  if (v4Vxlan && vxlanOk) return v4Vxlan;
  if (setup.bgpEnabled || setup.felixRoutesNoEncap) return 'None';
  return 'VXLAN';
}

/** Operators before v1.35 (Calico v3.28.1) create ipPools at install only and ignore later changes. */
function poolsFrozen(setup: Setup, ctx: RuleContext): boolean {
  return ctx.operation === 'UPDATE' && setup.version !== undefined && !supports(setup.version, 'operatorPoolController');
}

function ipv6Pool(ctx: RuleContext, setup: Setup): Pool {
  return {
    cidr: ctx.config.podCIDR.text, blockSize: IPV6_BLOCK_DEFAULT, encapsulation: chosenEncapsulation(setup),
    natOutgoing: ctx.config.ipv6NATOutgoing ? 'Enabled' : 'Disabled', nodeSelector: 'all()',
  };
}

/** The IPv4 pools (canonical CIDRs) of the stored object on UPDATE. */
function storedIpv4Pools(ctx: RuleContext): string[] {
  const spec = isRecord(ctx.oldObject?.spec) ? ctx.oldObject.spec : {};
  const network = isRecord(spec.calicoNetwork) ? spec.calicoNetwork : {};
  const pools = Array.isArray(network.ipPools) ? network.ipPools.filter(isRecord) : [];
  return pools.filter((p) => familyOf(p) === 4).map((p) => canonicalCidr(String(p.cidr)));
}

/** Whether the stored object (UPDATE) has IPv4 autodetection: then it stays, else a re-apply does not bring it back. */
function storedV4Autodetection(ctx: RuleContext): boolean {
  const spec = isRecord(ctx.oldObject?.spec) ? ctx.oldObject.spec : {};
  return isRecord(spec.calicoNetwork) && spec.calicoNetwork.nodeAddressAutodetectionV4 !== undefined;
}

function mutatePools(setup: Setup, ctx: RuleContext, report: Report): void {
  if (setup.pools !== undefined && setup.pools.length === 0) return; // out of band: IPPool objects are checked on their own
  if (poolsFrozen(setup, ctx)) return; // refused in validation, with the reason
  const before = setup.pools;
  let pools = [...(before ?? [])];
  const v4 = pools.filter((p) => familyOf(p) === 4);
  const pool = pools.some((p) => familyOf(p) === 6) ? undefined : ipv6Pool(ctx, setup);
  if (ctx.config.mode === 'ipv6-only') {
    // On UPDATE only pools the stored object lacks: re-applying the manifest (kubectl's three-way merge sends
    // its whole ipPools list again) must not bring back what CREATE removed, nor remove a pool in use.
    const stored = new Set(ctx.operation === 'UPDATE' ? storedIpv4Pools(ctx) : []);
    const removed = v4.filter((p) => !stored.has(canonicalCidr(String(p.cidr))));
    pools = pools.filter((p) => !removed.includes(p));
    for (const pool of removed) {
      report.warn(`${setup.label}: IPv4 pool ${String(pool.name ?? pool.cidr)} (${String(pool.cidr)}) removed from spec.calicoNetwork.ipPools: the cluster is IPv6-only`);
    }
  }
  if (ctx.config.mode === 'dual-stack' && before === undefined) {
    // Without ipPools the operator would add 192.168.0.0/16; dual-stack keeps the cluster's own IPv4 range.
    if (ctx.config.ipv4PodCIDR) pools.push({ cidr: ctx.config.ipv4PodCIDR.text });
  }
  if (pool) pools.push(pool);
  if (JSON.stringify(pools) === JSON.stringify(before ?? [])) return;
  setup.network.ipPools = pools;
  setup.pools = pools;
  report.change({ rule: `${RULE}/ipv6-pool`, path: POOLS_PATH, found: shown(before), expected: shown(pools),
    fix: ctx.config.mode === 'ipv6-only' ? `one IPv6 pool, the pod CIDR ${ctx.config.podCIDR.text}, and no IPv4 pool` : `an IPv6 pool, the pod CIDR ${ctx.config.podCIDR.text}, beside the IPv4 pool` });
}

function mutateAutodetection(setup: Setup, ctx: RuleContext, report: Report): void {
  const { network } = setup;
  if (network.nodeAddressAutodetectionV6 === undefined) {
    network.nodeAddressAutodetectionV6 = { firstFound: true };
    report.change({ rule: `${RULE}/autodetection-v6`, path: `${NETWORK_PATH}.nodeAddressAutodetectionV6`, found: 'absent', expected: shown({ firstFound: true }),
      fix: 'the operator defaults it to firstFound once an IPv6 pool exists (tigera/operator core_controller.go fillDefaults); written out so the Installation says how node IPv6 addresses are found' });
  }
  if (ctx.config.mode === 'ipv6-only' && network.nodeAddressAutodetectionV4 !== undefined && !(ctx.operation === 'UPDATE' && storedV4Autodetection(ctx))) {
    report.change({ rule: `${RULE}/autodetection-v4`, path: `${NETWORK_PATH}.nodeAddressAutodetectionV4`, found: shown(network.nodeAddressAutodetectionV4), expected: 'absent',
      fix: 'an IPv6-only node has no IPv4 address; without v4 autodetection the operator renders IP=none (and CALICO_ROUTER_ID=hash with BGP)' });
    report.warn(`${setup.label}: nodeAddressAutodetectionV4 removed: the cluster is IPv6-only, so calico-node runs with IP=none`);
    delete network.nodeAddressAutodetectionV4;
  }
}

function mutate(object: KubeObject, ctx: RuleContext, report: Report): void {
  if (ctx.operation !== 'CREATE' && ctx.operation !== 'UPDATE') return;
  const setup = setupOf(object, ctx, report, ctx.operation === 'CREATE');
  if (!setup) return;
  mutatePools(setup, ctx, report);
  mutateAutodetection(setup, ctx, report);
}

// ---- validation -------------------------------------------------------------------------------

function checkEncapsulation(pool: Pool, path: string, setup: Setup, report: Report): void {
  const encapsulation = text(pool.encapsulation) ?? 'None'; // the operator's IPv6 default (ippool/defaults.go)
  const found = shown(pool.encapsulation);
  const at = `${path}.encapsulation`;
  if (IPIP.has(encapsulation)) {
    report.problem({ rule: `${RULE}/encapsulation`, path: at, found, expected: '"None", "VXLAN" or "VXLANCrossSubnet"',
      fix: `IPIP encapsulation is not supported by IPv6 pools (an IPIP tunnel carries only IPv4); set encapsulation: ${setup.bgpEnabled ? 'None' : 'VXLAN'}` });
  } else if (VXLAN.has(encapsulation) && setup.ipamType === 'HostLocal') {
    report.problem({ rule: `${RULE}/encapsulation`, path: at, found, expected: '"None" with HostLocal IPAM',
      fix: `${encapsulation} is invalid for ipPool.encapsulation with Calico CNI and HostLocal IPAM; set encapsulation: None` });
  } else if (VXLAN.has(encapsulation) && setup.version !== undefined && !supports(setup.version, 'vxlanIPv6')) {
    report.problem({ rule: `${RULE}/encapsulation`, path: at, found, expected: `"None" before Calico ${formatVersion(CALICO_FEATURES.vxlanIPv6)}`,
      fix: `VXLAN on an IPv6 pool needs Calico >= ${formatVersion(CALICO_FEATURES.vxlanIPv6)} (running ${describeVersion(setup.version)}); set encapsulation: None with spec.calicoNetwork.bgp: Enabled, or upgrade` });
  } else if (encapsulation === 'None' && setup.ipamType === 'Calico' && !setup.bgpEnabled && !setup.felixRoutesNoEncap) {
    report.problem({ rule: `${RULE}/encapsulation`, path: at, found, expected: '"VXLAN" or "VXLANCrossSubnet" while BGP is disabled',
      fix: 'with BIRD cluster routing mode, unencapsulated IP pools require that BGP is enabled; set encapsulation: VXLAN, or spec.calicoNetwork.bgp: Enabled' });
  }
}

function checkPools(setup: Setup, ctx: RuleContext, report: Report): void {
  const pools = setup.pools;
  if (pools !== undefined && pools.length === 0) {
    report.warn(`${setup.label}: ipPools is empty, so the operator creates no pool; the IPPool objects created out of band are what give pods IPv6 (the webhook checks each)`);
    return;
  }
  const seen = new Set<string>();
  let hasIpv6 = false;
  (pools ?? []).forEach((pool, index) => {
    const path = poolPath(pool, index);
    for (const [key, value] of [['cidr', pool.cidr], ['name', pool.name]] as const) {
      if (typeof value !== 'string' || value === '') continue;
      const normalized = key === 'cidr' ? canonicalCidr(value) : value;
      if (seen.has(`${key}:${normalized}`)) {
        report.problem({ rule: `${RULE}/duplicate-pool`, path: `${path}.${key}`, found: shown(value), expected: `a ${key} listed once`, fix: `IP pool ${value} is specified more than once; remove the repeated pool` });
      }
      seen.add(`${key}:${normalized}`);
    }
    const mapped = typeof pool.cidr === 'string' ? ipv4MappedRange(pool.cidr) : undefined;
    if (mapped) {
      report.problem({ rule: `${RULE}/cidr`, path: `${path}.cidr`, found: shown(pool.cidr), expected: IPV4_MAPPED_EXPECTED, fix: ipv4MappedFix(String(pool.cidr), mapped, ctx.config.podCIDR.text) });
      return;
    }
    const family = familyOf(pool);
    if (family === undefined) {
      report.problem({ rule: `${RULE}/cidr`, path: `${path}.cidr`, found: shown(pool.cidr), expected: 'a CIDR', fix: `IP pool CIDR (${String(pool.cidr)}) is invalid; set cidr: ${ctx.config.podCIDR.text} for the IPv6 pool` });
      return;
    }
    if (family === 4) {
      const outside = ipv4PoolOutsidePodCIDR(ctx.config, pool.cidr as string);
      if (ctx.config.mode === 'ipv6-only') {
        report.warn(`${setup.label}: IPv4 pool ${String(pool.cidr)} in an IPv6-only cluster gives pods no address they can use; remove it from ipPools (the operator then deletes the IPPool)`);
      } else if (outside) {
        report.problem({ rule: `${RULE}/ipv4-pod-cidr`, path: `${path}.cidr`, found: shown(pool.cidr), expected: `inside ipv4PodCIDR ${outside}`,
          fix: `IPPool ${String(pool.cidr)} is not within the platform's configured pod network CIDR; use ${outside}` });
      }
      return;
    }
    hasIpv6 = true;
    judgeIpv6Pool({
      rule: RULE, cidr: pool.cidr as string, blockSize: pool.blockSize, disabled: false, natOutgoing: pool.natOutgoing === 'Enabled',
      paths: { cidr: `${path}.cidr`, blockSize: `${path}.blockSize`, natOutgoing: `${path}.natOutgoing` }, natOutgoingFix: 'set natOutgoing: Enabled on the pool', label: setup.label,
    }, ctx, report);
    checkEncapsulation(pool, path, setup, report);
  });
  if (!hasIpv6) {
    report.problem({ rule: `${RULE}/ipv6-pool`, path: POOLS_PATH, found: shown(pools), expected: `an IPv6 pool inside podCIDR ${ctx.config.podCIDR.text}`,
      fix: poolsFrozen(setup, ctx)
        ? `the operator for Calico ${describeVersion(setup.version as Version)} creates ipPools at install only (at most one pool per family) and ignores this change; create the IPv6 IPPool yourself (cidr ${ctx.config.podCIDR.text}), or upgrade to Calico >= ${formatVersion(CALICO_FEATURES.operatorPoolController)}`
        : `add a pool with cidr ${ctx.config.podCIDR.text} (without ipPools the operator creates only an IPv4 pool)` });
  }
}

/** Calico refuses a block size change on an existing pool; the operator's update of it would fail. */
function checkPoolUpdates(setup: Setup, ctx: RuleContext, report: Report): void {
  if (ctx.operation !== 'UPDATE') return;
  const oldSetup = ctx.oldObject ? setupOf(structuredClone(ctx.oldObject), ctx, report, false) : undefined;
  const oldPools = oldSetup?.pools ?? [];
  const blockOf = (p: Pool) => (p.blockSize === undefined ? (familyOf(p) === 4 ? 26 : IPV6_BLOCK_DEFAULT) : p.blockSize);
  const keyOf = (p: Pool) => (typeof p.cidr === 'string' ? canonicalCidr(p.cidr) : undefined);
  (setup.pools ?? []).forEach((pool, index) => {
    const old = keyOf(pool) === undefined ? undefined : oldPools.find((p) => keyOf(p) === keyOf(pool));
    if (old && blockOf(old) !== blockOf(pool)) {
      report.problem({ rule: `${RULE}/block-size-immutable`, path: `${poolPath(pool, index)}.blockSize`, found: shown(blockOf(pool)), expected: shown(blockOf(old)),
        fix: 'Block size cannot be changed; follow IP pool migration guide to avoid corruption (Calico refuses the operator\'s update of the IPPool); add a pool with a new CIDR instead' });
    }
  });
  // Pools are compared by CIDR: the operator's own write-back of its defaults (core_controller.go) fills
  // fields of the same pools and must pass.
  const cidrs = (pools: Pool[] | undefined) => (pools ?? []).map(keyOf).sort().join(' ');
  if (poolsFrozen(setup, ctx) && oldSetup && cidrs(oldSetup.pools) !== cidrs(setup.pools)) {
    report.problem({ rule: `${RULE}/pools-frozen`, path: POOLS_PATH, found: shown(setup.pools), expected: shown(oldSetup.pools),
      fix: `the operator for Calico ${describeVersion(setup.version as Version)} creates ipPools at install only and ignores changes; create or edit IPPool objects instead, or upgrade to Calico >= ${formatVersion(CALICO_FEATURES.operatorPoolController)}` });
  }
}

function checkNode(setup: Setup, ctx: RuleContext, report: Report): void {
  const { network } = setup;
  // The operator defaults v6 autodetection to firstFound when an IPv6 pool exists (core_controller.go
  // fillDefaults, at 40788b9:544-552; the same from v1.20 on), so only its absence with no IPv6 pool leaves
  // IPv6 off: then render/node.go (40788b9:1618-1621) renders IP6=none and FELIX_IPV6SUPPORT=false.
  if (network.nodeAddressAutodetectionV6 === undefined && !(setup.pools ?? []).some((p) => familyOf(p) === 6)) {
    report.problem({ rule: `${RULE}/autodetection-v6`, path: `${NETWORK_PATH}.nodeAddressAutodetectionV6`, found: 'absent', expected: shown({ firstFound: true }),
      fix: 'with no IPv6 pool the operator does not default IPv6 autodetection, so it renders IP6=none and FELIX_IPV6SUPPORT=false and pods get no working IPv6; add the IPv6 pool (the operator then defaults firstFound) or set nodeAddressAutodetectionV6: {firstFound: true}' });
  }
  if (ctx.config.mode === 'ipv6-only' && network.nodeAddressAutodetectionV4 !== undefined) {
    report.warn(`${setup.label}: nodeAddressAutodetectionV4 is set in an IPv6-only cluster: calico-node runs with IP=autodetect and exits on a node without an IPv4 address`);
  }
  if (!setup.bpf) return;
  const at = `${NETWORK_PATH}.linuxDataplane`;
  if (ctx.config.mode === 'ipv6-only') {
    report.problem({ rule: `${RULE}/bpf`, path: at, found: '"BPF"', expected: '"Iptables" or "Nftables" in an IPv6-only cluster',
      fix: 'for the BPF data plane the operator always turns on IPv4 address autodetection, and calico-node exits on a node without an IPv4 address; use linuxDataplane: Iptables or Nftables, or run dual-stack' });
  } else if (setup.version !== undefined && !supports(setup.version, 'bpfDualStack')) {
    report.problem({ rule: `${RULE}/bpf`, path: at, found: '"BPF"', expected: `Calico >= ${formatVersion(CALICO_FEATURES.bpfDualStack)} for dual-stack in the BPF data plane`,
      fix: `the BPF data plane handles both families together from Calico ${formatVersion(CALICO_FEATURES.bpfDualStack)} (v3.27 runs one family only; running ${describeVersion(setup.version)}); upgrade, or use linuxDataplane: Iptables` });
  }
}

function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const setup = setupOf(object, ctx, report, false);
  if (!setup) {
    const spec = isRecord(object.spec) ? object.spec : {};
    const cni = isRecord(spec.cni) ? spec.cni : {};
    if (text(cni.type) !== undefined && cni.type !== 'Calico') {
      report.warn(`Installation ${nameOf(object) ?? '(unnamed)'}: CNI ${String(cni.type)} addresses pods, not Calico's pools; the webhook checks nothing here`);
    } else if (isRecord(object.spec) || object.spec === undefined) {
      report.problem({ rule: `${RULE}/ipv6-pool`, path: POOLS_PATH, found: 'absent', expected: `an IPv6 pool inside podCIDR ${ctx.config.podCIDR.text}`,
        fix: `add spec.calicoNetwork with ipPools [{cidr: ${ctx.config.podCIDR.text}}] and nodeAddressAutodetectionV6: {firstFound: true}` });
    }
    return;
  }
  checkPools(setup, ctx, report);
  checkPoolUpdates(setup, ctx, report);
  checkNode(setup, ctx, report);
}

// ---- doctor: what the operator made of it ----------------------------------------------------------

const POOL_RULES = ['ipv6-pool', 'cidr', 'pod-cidr', 'service-cidr', 'block-size', 'encapsulation', 'duplicate-pool', 'ipv4-pod-cidr'].map((r) => `${RULE}/${r}`);

const stated = (f: Finding) => `[${f.rule}] ${f.path}: found ${f.found}, expected ${f.expected}`;

function conditionOf(object: KubeObject, type: string): Record<string, unknown> | undefined {
  const status = isRecord(object.status) ? object.status : {};
  return (Array.isArray(status.conditions) ? status.conditions : []).filter(isRecord).find((c) => c.type === type);
}

/** The operator's own conditions (Ready, Degraded) on the Installation. */
function operatorStatus(object: KubeObject): Judgement {
  const degraded = conditionOf(object, 'Degraded');
  const ready = conditionOf(object, 'Ready');
  if (degraded?.status === 'True') {
    return { ok: false, evidence: `Degraded: ${[degraded.reason, degraded.message].filter((x) => typeof x === 'string').join(' ')}`, fix: "read the operator's message (kubectl get tigerastatus, the tigera-operator logs) and correct the Installation" };
  }
  if (ready?.status === 'True') return { ok: true, evidence: `Ready: ${String(ready.reason ?? 'True')}`, fix: '' };
  return { ok: false, evidence: 'no Ready condition: the operator has not reconciled the Installation', fix: 'check that the tigera-operator Deployment runs, and wait for it to reconcile' };
}

/**
 * status.computed is the spec after the operator's defaults and overlays: what it renders calico-node
 * from. A stored spec the rules accept can still compute to something else (the operator defaults IPv4
 * autodetection while an IPv4 IPPool exists, core_controller.go:534-578), so each item is judged there too.
 */
function judgeComputed(object: KubeObject, item: DoctorItem, ctx: RuleContext): Judgement | undefined {
  if (item.item === 'operator-status') return operatorStatus(object);
  const status = isRecord(object.status) ? object.status : {};
  if (!isRecord(status.computed)) return undefined;
  const computed = status.computed;
  const network = isRecord(computed.calicoNetwork) ? computed.calicoNetwork : {};
  if (item.item === 'ip-none') {
    const v4 = network.nodeAddressAutodetectionV4;
    return v4 === undefined
      ? { ok: true, evidence: 'status.computed has no nodeAddressAutodetectionV4: calico-node runs with IP=none', fix: '' }
      : { ok: false, evidence: `status.computed: nodeAddressAutodetectionV4 ${shown(v4)}`, fix: 'remove nodeAddressAutodetectionV4 from the Installation; the operator adds it back while an IPv4 IPPool exists, so disable and delete the IPv4 pools first' };
  }
  const report = new Report();
  validate({ ...object, spec: structuredClone(computed) }, { ...ctx, operation: 'CREATE', oldObject: undefined }, report);
  const failing = [...report.malformed, ...report.problems].filter((f) => item.rules.includes(f.rule));
  const read = item.item === 'ipv6-pool' ? `ipPools ${shown(network.ipPools)}` : `nodeAddressAutodetectionV6 ${shown(network.nodeAddressAutodetectionV6)}`;
  return failing.length === 0
    ? { ok: true, evidence: `status.computed: ${read}`, fix: '' }
    : { ok: false, evidence: `status.computed: ${failing.map(stated).join(' | ')}`, fix: [...new Set(failing.map((f) => f.fix))].join('; ') };
}

export const installationTarget = defineTarget({
  id: RULE,
  description: 'Tigera operator Installation: an IPv6 pool in spec.calicoNetwork.ipPools (no IPv4 pool in ipv6-only), IPv6 autodetection, checked as the operator checks it',
  resources: [{ group: 'operator.tigera.io', versions: ['v1'], resource: 'installations', kind: 'Installation', namespaced: false, names: INSTALLATION_NAMES }],
  mutate,
  writes: ['spec.calicoNetwork'],
  validate,
  doctor: {
    items: [
      { item: 'ipv6-pool', title: 'the Installation has an IPv6 pool inside the pod CIDR that the operator accepts', rules: POOL_RULES },
      { item: 'autodetection-v6', title: 'the Installation autodetects node IPv6 addresses (calico-node IP6=autodetect, FELIX_IPV6SUPPORT=true)', rules: [`${RULE}/autodetection-v6`] },
      { item: 'ip-none', title: 'the Installation has no IPv4 autodetection, so calico-node runs with IP=none', rules: [`${RULE}/autodetection-v4`], modes: ['ipv6-only'] },
      { item: 'operator-status', title: 'the Tigera operator reports the Installation Ready, not Degraded', rules: [] },
    ],
    judge: judgeComputed,
    // A manifest install has no Installation; an operator install has one, and calico-node's items are then unknown.
    whenPresent: true,
  },
});
