// The operator's Installation in CEL (targets/installation): every pool of spec.calicoNetwork.ipPools judged
// as the webhook judges it (IPv6: strictly masked, not reserved, block size, inside podCIDR, off
// serviceCIDR, an encapsulation the operator accepts; IPv4 inside ipv4PodCIDR in dual-stack; no pool listed
// twice), an IPv6 pool present, IPv6 autodetection, no IPv4 autodetection in an IPv6-only cluster, the BPF
// data plane, and block sizes unchanged on UPDATE. Validated only: the webhook's added pool depends on the
// other pools and the operator's defaults (policy --explain).
import { installationTarget } from '../targets/installation/installation.js';
import { IPV6_BLOCK_DEFAULT, IPV6_BLOCK_MAX, IPV6_BLOCK_MIN } from '../targets/shared/ipv6-pool.js';
import { CALICO_FEATURES } from '../targets/shared/calico-version.js';
import type { KubeObject } from '../k8s/object.js';
import type { RawConfig } from '../config/types.js';
import { VERSION_RE, celVersionOfParts, celVersionParts, lit, mappedCel, mappedRangeCel, versionNumber, type Substitution } from './cel.js';
import { v } from './env-cel.js';
import { canonicalParam, param } from './params.js';
import { message, shownCel, type Witness } from './texts.js';
import type { TargetPolicy, Validation, Variable } from './model.js';

function installation(network: Record<string, unknown> | undefined, options: { config?: RawConfig; oldNetwork?: Record<string, unknown>; spec?: Record<string, unknown> } = {}): Witness {
  const object = (n: Record<string, unknown> | undefined): KubeObject => ({ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { ...options.spec, ...(n ? { calicoNetwork: n } : {}) } });
  return { object: object(network), ...(options.config ? { config: options.config } : {}), ...(options.oldNetwork ? { operation: 'UPDATE' as const, oldObject: object(options.oldNetwork) } : {}) };
}

const POOL = (cidr: string, extra: Record<string, unknown> = {}) => ({ cidr, ...extra });
const V6 = POOL('fd5e:1::/112');
const AUTO = { nodeAddressAutodetectionV6: { firstFound: true } };
const DUAL: RawConfig = { mode: 'dual-stack', ipv4PodCIDR: '10.77.0.0/16' };
const RESERVED = ['fe80::/10', 'ff00::/8', '::1/128'];

/** CEL showing a flat map as the webhook's JSON (`{"firstFound":true}`); string, bool and number values. */
const shownMap = (m: string) => `'{' + ${m}.map(k, '"' + k + '":' + (type(${m}[k]) == string ? '"' + ${m}[k] + '"' : (type(${m}[k]) == bool || type(${m}[k]) == int ? string(${m}[k]) : '…'))).join(',') + '}'`;

// CEL on a pool `p` (a map of spec.calicoNetwork.ipPools; the CRD schema makes cidr a string).
const cidrOf = (p: string) => `${p}.?cidr.orValue('').trim()`;
const famOf = (p: string) => `(isCIDR(${cidrOf(p)}) ? cidr(${cidrOf(p)}).ip().family() : 0)`;
const strictOf = (p: string) => `(${famOf(p)} == 6 && string(cidr(${cidrOf(p)}).masked()) == string(cidr(${cidrOf(p)})))`;
const blockGiven = (p: string) => `${p}.?blockSize.hasValue()`;
const blockValid = (p: string) => `(!${blockGiven(p)} || (${p}.blockSize >= ${IPV6_BLOCK_MIN} && ${p}.blockSize <= ${IPV6_BLOCK_MAX}))`;
const blockOf = (p: string) => `(${blockGiven(p)} ? ${p}.blockSize : ${IPV6_BLOCK_DEFAULT})`;
/** The block size Calico gives a pool, by family (IPv4 26), as checkPoolUpdates compares them. */
const anyBlockOf = (p: string) => `(${blockGiven(p)} ? ${p}.blockSize : (${famOf(p)} == 4 ? 26 : ${IPV6_BLOCK_DEFAULT}))`;
const encapOf = (p: string) => `${p}.?encapsulation.orValue('None')`;
/** calico's canonicalCidr: the address written canonically, host bits kept (a Prefix's String, unmasked). */
const canonOf = (p: string) => `(isCIDR(${cidrOf(p)}) ? string(cidr(${cidrOf(p)})) : ${p}.?cidr.orValue(''))`;
const VXLAN = "['VXLAN', 'VXLANCrossSubnet']";
/** Pools shown by their CIDRs (the webhook shows each pool whole). */
const shownPools = (list: string) => `'[' + ${list}.map(p, p.?cidr.hasValue() ? '{"cidr":"' + p.cidr + '"}' : '{}').join(',') + ']'`;

/** The webhook's path of a pool after its mutation: by name, else by cidr, else by index. */
const poolPath = (i: string) => {
  const p = `${v('pools')}[${i}]`;
  return `'spec.calicoNetwork.ipPools[' + (${p}.?name.orValue('') != '' ? 'name=' + ${p}.name : (${p}.?cidr.hasValue() ? 'cidr=' + ${p}.cidr : string(${i}))) + ']'`;
};

function variables(): Variable[] {
  const spec = 'object.?spec';
  const net = `${spec}.?calicoNetwork`;
  const statusVersion = (o: string) => `${o}.?status.?calicoVersion.orValue('')`;
  const parsed = (t: string) => `(${t}.matches(${lit(VERSION_RE)}) ? ${celVersionOfParts(celVersionParts(t))} : -1)`;
  const given = `${net}.?ipPools.orValue([])`;
  return [
    { name: 'cniType', expression: `${spec}.?cni.?type.orValue('Calico')` },
    { name: 'calico', expression: `${v('cniType')} == 'Calico'` },
    { name: 'ipamType', expression: `${spec}.?cni.?ipam.?type.orValue(${v('calico')} ? 'Calico' : 'HostLocal')` },
    { name: 'hasNetwork', expression: `${net}.hasValue()` },
    { name: 'update', expression: "request.operation == 'UPDATE' && oldObject != null" },
    // The webhook makes spec.calicoNetwork on CREATE; on UPDATE an Installation without one is refused.
    { name: 'networked', expression: `${v('calico')} && (${v('hasNetwork')} || request.operation == 'CREATE')` },
    { name: 'poolsGiven', expression: `${net}.?ipPools.hasValue()` },
    // ipPools: [] means pools managed out of band: the webhook judges no pool.
    { name: 'outOfBand', expression: `${v('poolsGiven')} && size(${given}) == 0` },
    { name: 'bgp', expression: `${net}.?bgp.orValue(${spec}.?kubernetesProvider.orValue('') == 'EKS' ? 'Disabled' : 'Enabled') == 'Enabled'` },
    { name: 'felixRoutes', expression: `${net}.?clusterRoutingMode.orValue('') == 'Felix'` },
    // The Calico version: configured, else the operator's status (of the object, then the stored one), else unknown (-1).
    {
      name: 'version',
      expression: `${param('calicoVersion')} != '' ? ${parsed(param('calicoVersion'))} : (${statusVersion('object')} != '' ? ${parsed(statusVersion('object'))} : (${v('update')} && ${statusVersion('oldObject')} != '' ? ${parsed(statusVersion('oldObject'))} : -1))`,
    },
    // Operators before Calico v3.28.1 make ipPools at install only: the webhook then changes no pool.
    { name: 'frozen', expression: `${v('update')} && ${v('version')} >= 0 && ${v('version')} < ${versionNumber(CALICO_FEATURES.operatorPoolController)}` },
    { name: 'given', expression: given },
    { name: 'storedV4', expression: `${v('update')} ? oldObject.?spec.?calicoNetwork.?ipPools.orValue([]).filter(o, ${famOf('o')} == 4).map(o, ${canonOf('o')}) : []` },
    // ipv6-only: IPv4 pools the stored object lacks are removed by the webhook before it validates.
    { name: 'removesV4', expression: `${param('mode')} == 'ipv6-only' && !${v('frozen')} && !${v('outOfBand')}` },
    { name: 'kept', expression: `${v('removesV4')} ? ${given}.filter(p, !(${famOf('p')} == 4 && !(${canonOf('p')} in ${v('storedV4')}))) : ${given}` },
    { name: 'removed', expression: `${v('removesV4')} && size(${v('kept')}) != size(${given})` },
    { name: 'judged', expression: `${v('networked')} && !${v('outOfBand')}` },
    { name: 'hasV6', expression: `${v('given')}.exists(p, ${famOf('p')} == 6)` },
    // The stored pools as the webhook reads them: none unless the stored Installation uses Calico's CNI.
    { name: 'oldPools', expression: `${v('update')} && oldObject.?spec.?cni.?type.orValue('Calico') == 'Calico' ? oldObject.?spec.?calicoNetwork.?ipPools.orValue([]) : []` },
    // The encapsulation of the pool the webhook adds (installation.ts chosenEncapsulation).
    {
      name: 'v4Vxlan', expression: `${v('given')}.filter(p, ${famOf('p')} == 4 && p.?encapsulation.orValue('') in ${VXLAN}).map(p, p.encapsulation)`,
    },
    {
      name: 'newEncap',
      expression: `${v('ipamType')} == 'HostLocal' ? 'None' : (size(${v('v4Vxlan')}) > 0 && (${v('version')} < 0 || ${v('version')} >= ${versionNumber(CALICO_FEATURES.vxlanIPv6)}) ? ${v('v4Vxlan')}[0] : (${v('bgp')} || ${v('felixRoutes')} ? 'None' : 'VXLAN'))`,
    },
    // The pools the webhook validates: ipPools after its mutation (installation.ts mutatePools), so a pool it
    // adds is judged too (VXLAN before v3.23, a block size the stored pool had otherwise).
    {
      name: 'newPool',
      // Only what the checks read (blockSize is the IPv6 default); Kubernetes' CEL wants homogeneous map literals (environment/base.go:63).
      expression: `{'cidr': ${canonicalParam('podCIDR')}, 'encapsulation': string(${v('newEncap')})}`,
    },
    {
      name: 'pools',
      expression: `${v('networked')} && !${v('outOfBand')} && !${v('frozen')} ? ${v('kept')} + (${param('mode')} == 'dual-stack' && !${v('poolsGiven')} && ${param('ipv4PodCIDR')} != '' ? [{'cidr': ${canonicalParam('ipv4PodCIDR')}}] : []) + (${v('hasV6')} ? [] : [${v('newPool')}]) : ${given}`,
    },
    { name: 'canon', expression: `${v('pools')}.map(p, ${canonOf('p')})` },
    { name: 'names', expression: `${v('pools')}.map(p, p.?name.orValue(''))` },
  ];
}

type Check = Omit<Validation, 'message'> & { path: string; found: string; witness: Witness; subs?: Substitution[]; mutable?: boolean };

/** A check on the first pool `when` holds for: the violation, and the message's path and found value for it. */
function poolCheck(name: string, when: (p: string) => string, rest: Omit<Check, 'violation' | 'path' | 'found' | 'subs'> & { field: string; found?: (p: string) => string; subs?: (p: string) => Substitution[] }): { variable: Variable; check: Check } {
  const at = v(name);
  const p = `${v('pools')}[${at}]`;
  const { field, found, subs, ...check } = rest;
  return {
    variable: { name, expression: `${v('judged')} ? ${v('pools')}.map(p, ${when('p')}).indexOf(true) : -1` },
    check: {
      ...check, violation: `${at} >= 0`, path: `${poolPath(at)} + ${lit(`.${field}`)}`,
      found: found ? found(p) : `${p}.?${field}.hasValue() ? ${shownCel(`${p}.${field}`)} : 'absent'`, ...(subs ? { subs: subs(p) } : {}),
    },
  };
}

/** The stored pools with the CIDR of pool `p`; the webhook compares with the first (checkPoolUpdates). */
const sameOld = (p: string) => `${v('oldPools')}.filter(o, o.?cidr.hasValue() && ${canonOf('o')} == ${canonOf(p)})`;

export function installationPolicy(): TargetPolicy {
  const v6 = (p: string) => `${famOf(p)} == 6`;
  const strict = strictOf;
  const versionText = `'v' + string(${v('version')} / 1000000) + '.' + string(${v('version')} / 1000 % 1000) + '.' + string(${v('version')} % 1000)`;
  const reservedExample: Record<string, string> = { 'fe80::/10': 'fe80::/64', 'ff00::/8': 'ff02::/16', '::1/128': '::1/128' };
  const pools = [
    poolCheck('mapped', (p) => mappedCel(cidrOf(p)), {
      rule: 'installation/cidr', field: 'cidr', witness: installation({ ipPools: [POOL('::ffff:10.0.0.0/104'), V6], ...AUTO }),
      subs: (p) => [{ text: '::ffff:10.0.0.0/104 is', cel: `${p}.cidr + ' is'` }, { text: 'write 10.0.0.0/8 for', cel: `'write ' + ${mappedRangeCel(cidrOf(p))} + ' for'` }],
    }),
    poolCheck('badCidr', (p) => `${famOf(p)} == 0 && !${mappedCel(cidrOf(p))}`, {
      rule: 'installation/cidr', field: 'cidr', witness: installation({ ipPools: [POOL('bogus'), V6], ...AUTO }),
      subs: (p) => [{ text: 'CIDR (bogus)', cel: `'CIDR (' + ${p}.?cidr.orValue('undefined') + ')'` }],
    }),
    poolCheck('hostBits', (p) => `${v6(p)} && !${strict(p)}`, {
      rule: 'installation/cidr', field: 'cidr', witness: installation({ ipPools: [POOL('fd77::1/112')], ...AUTO }),
      subs: (p) => [{ text: 'fd77::1/112 has host bits set (the network is fd77::/112)', cel: `${p}.cidr + ' has host bits set (the network is ' + string(cidr(${cidrOf(p)}).masked()) + ')'` }],
    }),
    ...RESERVED.map((r, i) => poolCheck(`reserved${i}`, (p) => `${strict(p)} && (cidr(${lit(r)}).containsIP(cidr(${cidrOf(p)}).ip()) || cidr(${cidrOf(p)}).containsIP(cidr(${lit(r)}).ip()))`, {
      rule: 'installation/cidr', field: 'cidr', witness: installation({ ipPools: [POOL(reservedExample[r] ?? r)], ...AUTO }),
      subs: (p) => [{ text: `${reservedExample[r] ?? r} overlaps`, cel: `string(cidr(${cidrOf(p)})) + ' overlaps'` }],
    })),
    poolCheck('badBlock', (p) => `${v6(p)} && !${blockValid(p)}`, {
      rule: 'installation/block-size', field: 'blockSize', witness: installation({ ipPools: [POOL('fd5e:1::/112', { blockSize: 7 })], ...AUTO }),
      found: (p) => `string(${p}.blockSize)`,
    }),
    poolCheck('smallPool', (p) => `${strict(p)} && ${blockValid(p)} && cidr(${cidrOf(p)}).prefixLength() > ${blockOf(p)}`, {
      rule: 'installation/block-size', field: 'cidr', witness: installation({ ipPools: [POOL('fd5e:1::/126', { blockSize: 124 })], ...AUTO }),
      found: (p) => `'/' + string(cidr(${cidrOf(p)}).prefixLength())`,
      subs: (p) => [{ text: '/124', cel: `'/' + string(${blockOf(p)})` }],
    }),
    poolCheck('outsidePod', (p) => `${strict(p)} && !cidr(${param('podCIDR')}).containsCIDR(cidr(${cidrOf(p)}))`, {
      rule: 'installation/pod-cidr', field: 'cidr', witness: installation({ ipPools: [POOL('fd77::/112')], ...AUTO }),
    }),
    poolCheck('onService', (p) => `${strict(p)} && (cidr(${param('serviceCIDR')}).containsIP(cidr(${cidrOf(p)}).ip()) || cidr(${cidrOf(p)}).containsIP(cidr(${param('serviceCIDR')}).ip()))`, {
      rule: 'installation/service-cidr', field: 'cidr', witness: installation({ ipPools: [POOL('fd5e:2::/112')], ...AUTO }),
    }),
    poolCheck('ipip', (p) => `${v6(p)} && ${encapOf(p)} in ['IPIP', 'IPIPCrossSubnet']`, {
      rule: 'installation/encapsulation', field: 'encapsulation', witness: installation({ ipPools: [POOL('fd5e:1::/112', { encapsulation: 'IPIP' })], ...AUTO }),
      subs: () => [{ text: 'set encapsulation: None', cel: `'set encapsulation: ' + (${v('bgp')} ? 'None' : 'VXLAN')` }],
    }),
    poolCheck('vxlanHostLocal', (p) => `${v6(p)} && ${encapOf(p)} in ${VXLAN} && ${v('ipamType')} == 'HostLocal'`, {
      rule: 'installation/encapsulation', field: 'encapsulation', witness: installation({ ipPools: [POOL('fd5e:1::/112', { encapsulation: 'VXLAN' })], ...AUTO }, { spec: { cni: { type: 'Calico', ipam: { type: 'HostLocal' } } } }),
      subs: (p) => [{ text: 'VXLAN is invalid', cel: `${encapOf(p)} + ' is invalid'` }],
    }),
    poolCheck('vxlanOld', (p) => `${v6(p)} && ${encapOf(p)} in ${VXLAN} && ${v('ipamType')} != 'HostLocal' && ${v('version')} >= 0 && ${v('version')} < ${versionNumber(CALICO_FEATURES.vxlanIPv6)}`, {
      rule: 'installation/encapsulation', field: 'encapsulation', witness: installation({ ipPools: [POOL('fd5e:1::/112', { encapsulation: 'VXLAN' })], ...AUTO }, { config: { calicoVersion: 'v3.22.77' } }),
      subs: () => [{ text: 'v3.22.77', cel: versionText }],
    }),
    poolCheck('noRoutes', (p) => `${v6(p)} && ${encapOf(p)} == 'None' && ${v('ipamType')} == 'Calico' && !${v('bgp')} && !${v('felixRoutes')}`, {
      rule: 'installation/encapsulation', field: 'encapsulation', witness: installation({ ipPools: [V6], bgp: 'Disabled', ...AUTO }),
    }),
    poolCheck('v4Outside', (p) => `${param('mode')} == 'dual-stack' && ${param('ipv4PodCIDR')} != '' && ${famOf(p)} == 4 && !(string(cidr(${cidrOf(p)}).masked()) == string(cidr(${cidrOf(p)})) && cidr(${param('ipv4PodCIDR')}).containsCIDR(cidr(${cidrOf(p)})))`, {
      rule: 'installation/ipv4-pod-cidr', field: 'cidr', witness: installation({ ipPools: [POOL('10.99.0.0/16'), V6], ...AUTO }, { config: DUAL }),
      subs: (p) => [{ text: 'IPPool 10.99.0.0/16', cel: `'IPPool ' + ${p}.cidr` }],
    }),
  ];
  const at = (i: string) => `${v('pools')}[${i}]`;
  const variablesOut = [
    ...variables(),
    ...pools.map((x) => x.variable),
    // The first pool whose CIDR (canonical) or name an earlier pool already has.
    { name: 'dupCidrAt', expression: `${v('judged')} ? ${v('canon')}.map(c, c != '' && ${v('canon')}.indexOf(c) != ${v('canon')}.lastIndexOf(c)).lastIndexOf(true) : -1` },
    { name: 'dupNameAt', expression: `${v('judged')} ? ${v('names')}.map(n, n != '' && ${v('names')}.indexOf(n) != ${v('names')}.lastIndexOf(n)).lastIndexOf(true) : -1` },
    {
      name: 'blockChangedAt',
      expression: `${v('judged')} && ${v('update')} ? ${v('pools')}.map(p, p.?cidr.hasValue() && ${sameOld('p')}.exists(o, true) && ${anyBlockOf(`${sameOld('p')}[0]`)} != ${anyBlockOf('p')}).indexOf(true) : -1`,
    },
  ];
  const changed = at(v('blockChangedAt'));
  const net = 'object.spec.calicoNetwork';
  const checks: Check[] = [
    ...pools.map((x) => x.check),
    {
      rule: 'installation/duplicate-pool', violation: `${v('dupCidrAt')} >= 0`, path: `${poolPath(v('dupCidrAt'))} + '.cidr'`, found: shownCel(`${at(v('dupCidrAt'))}.cidr`),
      witness: installation({ ipPools: [V6, POOL('fd5e:1::/112')], ...AUTO }), subs: [{ text: 'IP pool fd5e:1::/112 is', cel: `'IP pool ' + ${at(v('dupCidrAt'))}.cidr + ' is'` }],
    },
    {
      rule: 'installation/duplicate-pool', violation: `${v('dupNameAt')} >= 0`, path: `${poolPath(v('dupNameAt'))} + '.name'`, found: shownCel(`${at(v('dupNameAt'))}.name`),
      witness: installation({ ipPools: [POOL('fd5e:1::/112', { name: 'twice' }), POOL('fd5e:1::/113', { name: 'twice' })], ...AUTO }),
      subs: [{ text: 'IP pool twice is', cel: `'IP pool ' + ${at(v('dupNameAt'))}.name + ' is'` }],
    },
    // UPDATE of an Calico Installation without calicoNetwork.
    {
      rule: 'installation/ipv6-pool', violation: `${v('calico')} && !${v('hasNetwork')} && request.operation != 'CREATE'`, path: "'spec.calicoNetwork.ipPools'", found: "'absent'",
      witness: installation(undefined, { oldNetwork: {} }),
    },
    // No IPv6 pool, or (IPv6-only) IPv4 pools: the webhook rewrites ipPools.
    {
      rule: 'installation/ipv6-pool', mutable: true, violation: `${v('judged')} && !${v('frozen')} && (!${v('hasV6')} || ${v('removed')})`, path: "'spec.calicoNetwork.ipPools'",
      witness: installation({ ipPools: [POOL('10.77.0.0/16')], ...AUTO }),
      found: `${v('poolsGiven')} ? ${shownPools(v('given'))} : 'absent'`,
      subs: [{ text: '[{"cidr":"fd5e:1::/112","blockSize":122,"encapsulation":"None","natOutgoing":"Enabled","nodeSelector":"all()"}]', cel: shownPools(v('pools')) },
        { text: 'and no IPv4 pool', cel: `${param('mode')} == 'ipv6-only' ? 'and no IPv4 pool' : 'beside the IPv4 pool'` }, { text: 'one IPv6 pool,', cel: `${param('mode')} == 'ipv6-only' ? 'one IPv6 pool,' : 'an IPv6 pool,'` }],
    },
    {
      rule: 'installation/ipv6-pool', violation: `${v('judged')} && ${v('frozen')} && !${v('hasV6')}`, path: "'spec.calicoNetwork.ipPools'",
      witness: installation({ ipPools: [POOL('10.77.0.0/16')], ...AUTO }, { oldNetwork: { ipPools: [POOL('10.77.0.0/16')], ...AUTO }, config: { ...DUAL, calicoVersion: 'v3.27.77' } }),
      found: `${v('poolsGiven')} ? ${shownPools(v('given'))} : 'absent'`,
      subs: [{ text: 'v3.27.77', cel: versionText }],
    },
    {
      rule: 'installation/autodetection-v6', mutable: true, violation: `${v('networked')} && !object.?spec.?calicoNetwork.?nodeAddressAutodetectionV6.hasValue()`,
      path: "'spec.calicoNetwork.nodeAddressAutodetectionV6'", found: "'absent'", witness: installation({ ipPools: [V6] }),
    },
    {
      rule: 'installation/autodetection-v4', mutable: true, path: "'spec.calicoNetwork.nodeAddressAutodetectionV4'", found: shownMap(`${net}.nodeAddressAutodetectionV4`),
      violation: `${v('calico')} && ${v('hasNetwork')} && ${param('mode')} == 'ipv6-only' && object.?spec.?calicoNetwork.?nodeAddressAutodetectionV4.hasValue() && !(${v('update')} && oldObject.?spec.?calicoNetwork.?nodeAddressAutodetectionV4.hasValue())`,
      witness: installation({ ipPools: [V6], ...AUTO, nodeAddressAutodetectionV4: { firstFound: true } }),
    },
    {
      rule: 'installation/bpf', violation: `${v('networked')} && object.?spec.?calicoNetwork.?linuxDataplane.orValue('') == 'BPF' && ${param('mode')} == 'ipv6-only'`,
      path: "'spec.calicoNetwork.linuxDataplane'", found: "'\"BPF\"'", witness: installation({ ipPools: [V6], ...AUTO, linuxDataplane: 'BPF' }),
    },
    {
      rule: 'installation/bpf', violation: `${v('networked')} && object.?spec.?calicoNetwork.?linuxDataplane.orValue('') == 'BPF' && ${param('mode')} != 'ipv6-only' && ${v('version')} >= 0 && ${v('version')} < ${versionNumber(CALICO_FEATURES.bpfDualStack)}`,
      path: "'spec.calicoNetwork.linuxDataplane'", found: "'\"BPF\"'", witness: installation({ ipPools: [V6, POOL('10.77.0.0/16')], ...AUTO, linuxDataplane: 'BPF' }, { config: { ...DUAL, calicoVersion: 'v3.27.77' } }),
      subs: [{ text: 'v3.27.77', cel: versionText }],
    },
    {
      rule: 'installation/block-size-immutable', violation: `${v('blockChangedAt')} >= 0`, path: `${poolPath(v('blockChangedAt'))} + '.blockSize'`, found: `string(${anyBlockOf(changed)})`,
      witness: installation({ ipPools: [POOL('fd5e:1::/112', { blockSize: 120 })], ...AUTO }, { oldNetwork: { ipPools: [POOL('fd5e:1::/112', { blockSize: 122 })], ...AUTO } }),
      subs: [{ text: '122', cel: `string(${anyBlockOf(`${sameOld(changed)}[0]`)})` }],
    },
  ];
  return {
    target: installationTarget,
    match: `object.metadata.?name.orValue('') == 'default'`,
    variables: variablesOut,
    validations: checks.map(({ path, found, witness, subs, mutable, ...rest }) => ({ ...rest, message: message({ rule: rest.rule, path, found, witness, subs, mutable }) })),
  };
}
