// calico-node in CEL (rules/calico-node.ts, calico-node-pools.ts): the env changes the webhook makes, as
// one JSONPatch mutation and as validations (for when mutation is off), and the problems it refuses.
import { calicoNodeTarget } from '../targets/calico-node/calico-node.js';
import { CALICO_FEATURES, NEWEST } from '../targets/shared/calico-version.js';
import { IPV6_BLOCK_DEFAULT, IPV6_BLOCK_MAX, IPV6_BLOCK_MIN } from '../targets/shared/ipv6-pool.js';
import type { KubeObject } from '../k8s/object.js';
import type { RawConfig } from '../config/types.js';
import { VERSION_RE, celVersionOfParts, celVersionParts, firstOf, lit, litList, versionNumber, type Substitution } from './cel.js';
import { entryPathCel, envVariables, foundCel, id, unsetCel, v } from './env-cel.js';
import { canonicalParam, param } from './params.js';
import { message, shownCel, type Witness } from './texts.js';
import type { TargetPolicy, Validation, Variable } from './model.js';
import { operatorManagedCel } from './operator-cel.js';

const POOL = 'CALICO_IPV6POOL_CIDR';
const VARS = [POOL, 'IP6', 'FELIX_IPV6SUPPORT', 'IP', 'CALICO_ROUTER_ID', 'NO_DEFAULT_POOLS', 'CALICO_IPV6POOL_BLOCK_SIZE', 'CALICO_IPV4POOL_CIDR',
  'CALICO_IPV6POOL_NAT_OUTGOING', 'CALICO_IPV6POOL_VXLAN', 'CALICO_NETWORKING_BACKEND', 'CALICO_NETWORKING', 'FELIX_BPFENABLED', 'CALICO_IPV4POOL_BLOCK_SIZE'] as const;
/** Variables whose rules the policies do not implement: an object setting them is the webhook's (hybrid). */
const WEBHOOK_ONLY_VARS = ['FELIX_BPFENABLED', 'CALICO_IPV4POOL_BLOCK_SIZE', 'CALICO_NETWORKING'] as const;
/** Settings that decide IPv6 and that the webhook resolves through valueFrom; CEL sees only the reference. */
const RESOLVED_BY_WEBHOOK = ['FELIX_IPV6SUPPORT', 'IP6', 'IP', 'CALICO_IPV6POOL_CIDR', 'CALICO_ROUTER_ID', 'CALICO_IPV4POOL_CIDR'] as const;

const feature = (name: keyof typeof CALICO_FEATURES) => `${v('ver')} >= ${versionNumber(CALICO_FEATURES[name])}`;
const V6ONLY = `${param('mode')} == 'ipv6-only'`;
const DUAL = `${param('mode')} == 'dual-stack'`;

function daemonSet(env: Record<string, string>, image = 'calico/node:v3.30.0'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'calico-node', image, env: Object.entries(env).map(([name, value]) => ({ name, value })) }] } } },
  };
}

function witness(env: Record<string, string>, image?: string, config?: RawConfig): Witness {
  return { object: daemonSet(env, image), ...(config ? { config } : {}) };
}

const DUAL_CONFIG: RawConfig = { mode: 'dual-stack', ipv4PodCIDR: '10.77.0.0/16' };

/** The container, its image version (webhook: tag, else calicoVersion, else newest) and its path. */
function containerVariables(): Variable[] {
  const cs = v('containers');
  const tag = v('tag');
  const parts = (text: string) => celVersionParts(text);
  return [
    { name: 'containers', expression: 'object.?spec.?template.?spec.?containers.orValue([])' },
    {
      name: 'ci',
      expression: `${cs}.map(c, c.?name.orValue('')).indexOf('calico-node') >= 0 ? ${cs}.map(c, c.?name.orValue('')).indexOf('calico-node') `
        + `: ${cs}.map(c, c.?image.orValue('').split('@')[0].matches('(^|/)calico/node(:[^/]*)?$')).indexOf(true)`,
    },
    // Every use is guarded by ci >= 0 (a DaemonSet without the container is left alone, as by the webhook).
    { name: 'c', expression: `${cs}[${v('ci')} >= 0 ? ${v('ci')} : 0]` },
    { name: 'containerPath', expression: `'spec.template.spec.containers[' + (${v('c')}.?name.hasValue() ? 'name=' + ${v('c')}.name : string(${v('ci')})) + ']'` },
    { name: 'imageBase', expression: `${v('c')}.?image.orValue('').trim().split('@')[0].split('/')` },
    { name: 'tag', expression: `${v('imageBase')}[size(${v('imageBase')}) - 1].contains(':') ? ${v('imageBase')}[size(${v('imageBase')}) - 1].split(':')[1] : ''` },
    {
      name: 'tagVersion',
      expression: firstOf([
        { when: `${tag}.matches('^(master|latest|main)(-[a-z0-9]+)?$')`, then: String(versionNumber(NEWEST)) },
        { when: `${tag}.matches('^release-v[0-9]+\\\\.[0-9]+')`, then: celVersionOfParts(`${tag}.substring(9).split('-')[0].split('.')`, false) },
        { when: `${tag}.matches(${lit(VERSION_RE)})`, then: celVersionOfParts(parts(tag)) },
      ], '-1'),
    },
    {
      name: 'ver',
      expression: `${v('tagVersion')} >= 0 ? ${v('tagVersion')} : (${param('calicoVersion')} != '' ? ${celVersionOfParts(parts(param('calicoVersion')))} : ${versionNumber(NEWEST)})`,
    },
    {
      name: 'verText',
      expression: `${v('ver')} >= ${versionNumber(NEWEST)} ? 'a development build' : 'v' + string(${v('ver')} / 1000000) + '.' + string(${v('ver')} / 1000 % 1000) + '.' + string(${v('ver')} % 1000)`,
    },
  ];
}

/** One env value the mutation writes, and the finding the webhook reports for it. */
interface EnvChange {
  rule: string;
  name: string;
  when: string;
  /** CEL of the value written. */
  value: string;
  witness: Witness;
  subs?: Substitution[];
}

function changes(): EnvChange[] {
  const creates = `${v('creates')} == 'true'`;
  const felixTrue = litList(['true', '1', 'yes', 'y', 't']);
  return [
    { rule: 'calico-node/ipv6-pool', name: POOL, when: `${creates} && ${unsetCel(POOL)}`, value: canonicalParam('podCIDR'), witness: witness({}) },
    { rule: 'calico-node/ip6', name: 'IP6', when: unsetCel('IP6'), value: "'autodetect'", witness: witness({}) },
    {
      rule: 'calico-node/felix-ipv6', name: 'FELIX_IPV6SUPPORT', value: "'true'", witness: witness({ FELIX_IPV6SUPPORT: 'false' }),
      when: `${v('k_FELIX_IPV6SUPPORT')} == 'absent' || (${v('k_FELIX_IPV6SUPPORT')} == 'literal' && !(${v('v_FELIX_IPV6SUPPORT')}.lowerAscii() in ${felixTrue}))`,
    },
    {
      rule: 'calico-node/ipv4-pool', name: 'CALICO_IPV4POOL_CIDR', value: canonicalParam('ipv4PodCIDR'), witness: witness({}, undefined, DUAL_CONFIG),
      when: `${DUAL} && ${param('ipv4PodCIDR')} != '' && ${creates} && ${unsetCel('CALICO_IPV4POOL_CIDR')}`,
    },
    {
      rule: 'calico-node/ipv4-pool', name: 'CALICO_IPV4POOL_CIDR', value: "'none'", witness: witness({}),
      when: `${V6ONLY} && ${creates} && ${unsetCel('CALICO_IPV4POOL_CIDR')} && ${feature('ipv4PoolNone')}`,
    },
    {
      rule: 'calico-node/ipv6-nat-outgoing', name: 'CALICO_IPV6POOL_NAT_OUTGOING', value: "'true'", witness: witness({}),
      when: `${creates} && ${v('k_CALICO_IPV6POOL_NAT_OUTGOING')} == 'absent' && ${param('ipv6NATOutgoing')} == 'auto' && ${v('ula')}`,
    },
    {
      rule: 'calico-node/ipv6-nat-outgoing', name: 'CALICO_IPV6POOL_NAT_OUTGOING', value: "'true'", witness: witness({}, undefined, { ipv6NATOutgoing: 'true' }),
      when: `${creates} && ${v('k_CALICO_IPV6POOL_NAT_OUTGOING')} == 'absent' && ${param('ipv6NATOutgoing')} == 'true'`,
    },
    { rule: 'calico-node/ip', name: 'IP', value: "'autodetect'", witness: witness({}, undefined, DUAL_CONFIG), when: `${DUAL} && ${unsetCel('IP')}` },
    {
      rule: 'calico-node/ip-none', name: 'IP', value: "'none'", witness: witness({}),
      when: `${V6ONLY} && ${feature('ipNone')} && (${v('k_IP')} == 'absent' || (${v('k_IP')} == 'literal' && ${v('v_IP')}.trim() in ['', 'autodetect']))`,
    },
    {
      rule: 'calico-node/router-id', name: 'CALICO_ROUTER_ID', value: "'hash'", witness: witness({ IP: 'none' }),
      when: `${V6ONLY} && ${v('ipIsNone')} && ${unsetCel('CALICO_ROUTER_ID')} && ${param('routerID')} == 'hash' && ${feature('routerIdHash')}`,
    },
  ];
}

/** Variables for each change's condition (`ch_N`) and every variable's value after the mutation (`pk_X`, `pv_X`). */
function changeVariables(list: EnvChange[]): Variable[] {
  const out: Variable[] = [];
  list.forEach((change, n) => {
    out.push({ name: `ch_${n}`, expression: change.when });
    // IP after its change, for the router ID (the webhook reads IP after mutating it).
    if (change.rule === 'calico-node/ip-none') out.push({ name: 'ipIsNone', expression: `${v(`ch_${n}`)} || (${v('k_IP')} == 'literal' && ${v('v_IP')} == 'none')` });
  });
  for (const name of VARS) {
    const x = id(name);
    const mine = list.map((c, n) => ({ c, n })).filter(({ c }) => c.name === name);
    out.push(
      { name: `pk_${x}`, expression: mine.length === 0 ? v(`k_${x}`) : `${mine.map(({ n }) => v(`ch_${n}`)).join(' || ')} ? 'literal' : ${v(`k_${x}`)}` },
      { name: `pv_${x}`, expression: firstOf(mine.map(({ c, n }) => ({ when: v(`ch_${n}`), then: c.value })), v(`v_${x}`)) },
    );
  }
  out.push({ name: 'anyChange', expression: list.map((_, n) => v(`ch_${n}`)).join(' || ') });
  return out;
}

/** The JSONPatch list: set the effective entry's value, or append an entry (creating env when absent). */
function mutation(list: EnvChange[]): string {
  const base = `'/spec/template/spec/containers/' + string(${v('ci')}) + '/env'`;
  const ops = list.map((change, n) => {
    const x = id(change.name);
    const value = `string(${change.value})`;
    const set = `${v(`i_${x}`)} >= 0 ? JSONPatch{op: 'add', path: ${base} + '/' + string(${v(`i_${x}`)}) + '/value', value: ${value}} `
      + `: JSONPatch{op: 'add', path: ${base} + '/-', value: {'name': ${lit(change.name)}, 'value': ${value}}}`;
    return `(${v(`ch_${n}`)} ? [${set}] : [])`;
  });
  const createEnv = `(${v('anyChange')} && !${v('c')}.?env.hasValue() ? [JSONPatch{op: 'add', path: ${base}, value: []}] : [])`;
  return `${v('ci')} < 0 ? [] : ${[createEnv, ...ops].join(' + ')}`;
}

function changeValidations(list: EnvChange[]): Validation[] {
  return list.map((change, n) => ({
    rule: change.rule,
    violation: v(`ch_${n}`),
    message: message({ rule: change.rule, path: entryPathCel(change.name), found: foundCel(change.name), witness: change.witness, mutable: true, subs: change.subs }),
  }));
}

const known = (name: string) => `(${v(`pk_${id(name)}`)} == 'literal')`;
const after = (name: string) => v(`pv_${id(name)}`);
const shownAfter = (name: string) => foundCel(name, 'pk');

const RESERVED = [
  { range: 'fe80::/10', example: 'fe80::/64' },
  { range: 'ff00::/8', example: 'ff02::/16' },
  { range: '::1/128', example: '::1/128' },
];

function poolVariables(): Variable[] {
  const t = v('poolT');
  return [
    { name: 'poolT', expression: `${after(POOL)}.trim()` },
    { name: 'poolSet', expression: `${known(POOL)} && ${t} != ''` },
    {
      name: 'poolReason',
      expression: firstOf([
        { when: `!${t}.contains('/')`, then: "'is not a CIDR (no /prefix)'" },
        { when: `!isCIDR(${t})`, then: "'is not a valid CIDR'" },
        { when: `cidr(${t}).ip().family() == 4`, then: "'is an IPv4 CIDR, not IPv6'" },
        { when: `string(cidr(${t}).masked()) != string(cidr(${t}))`, then: `'has host bits set (the network is ' + string(cidr(${t}).masked()) + ')'` },
      ], "''"),
    },
    { name: 'poolOk', expression: `${v('creates')} != 'false' && ${v('poolSet')} && ${v('poolReason')} == ''` },
    { name: 'poolReserved', expression: RESERVED.map((r) => `(cidr(${lit(r.range)}).containsIP(cidr(${t}).ip()) || cidr(${t}).containsIP(cidr(${lit(r.range)}).ip()))`).join(' || ') },
    { name: 'poolPrefix', expression: `${v('poolOk')} ? cidr(${t}).prefixLength() : 0` },
    { name: 'blockT', expression: `${after('CALICO_IPV6POOL_BLOCK_SIZE')}.trim()` },
    { name: 'blockValid', expression: `!${known('CALICO_IPV6POOL_BLOCK_SIZE')} || (${v('blockT')}.matches('^[0-9]+$') && int(${v('blockT')}) >= ${IPV6_BLOCK_MIN} && int(${v('blockT')}) <= ${IPV6_BLOCK_MAX})` },
    { name: 'blockSize', expression: `${known('CALICO_IPV6POOL_BLOCK_SIZE')} && ${v('blockValid')} ? int(${v('blockT')}) : ${IPV6_BLOCK_DEFAULT}` },
  ];
}

function poolValidations(): Validation[] {
  const path = entryPathCel(POOL);
  const found = shownCel(after(POOL));
  const poolRule = 'calico-node/ipv6-pool';
  const blockRule = 'calico-node/block-size';
  const clean = `${v('poolOk')} && !${v('poolReserved')}`;
  const hasBlocks = feature('poolBlockSize');
  return [
    {
      rule: 'calico-node/no-default-pools', violation: `${v('creates')} == 'false' && ${v('poolSet')}`,
      message: message({ rule: 'calico-node/no-default-pools', path, found, witness: witness({ NO_DEFAULT_POOLS: 'true', [POOL]: 'fd5e:1::/112' }) }),
    },
    {
      rule: poolRule, violation: `${v('creates')} != 'false' && ${v('poolSet')} && ${v('poolReason')} != ''`,
      message: message({ rule: poolRule, path, found, witness: witness({ [POOL]: 'fd77::1/112' }),
        subs: [{ text: 'fd77::1/112 has host bits set (the network is fd77::/112)', cel: `${v('poolT')} + ' ' + ${v('poolReason')}` }] }),
    },
    ...RESERVED.map((r) => ({
      rule: poolRule,
      violation: `${v('poolOk')} && (cidr(${lit(r.range)}).containsIP(cidr(${v('poolT')}).ip()) || cidr(${v('poolT')}).containsIP(cidr(${lit(r.range)}).ip()))`,
      message: message({ rule: poolRule, path, found, witness: witness({ [POOL]: r.example }), subs: [{ text: `${r.example} is`, cel: `string(cidr(${v('poolT')})) + ' is'` }] }),
    })),
    {
      rule: blockRule, violation: `${clean} && !(${hasBlocks}) && ${v('poolPrefix')} > ${IPV6_BLOCK_DEFAULT}`,
      message: message({ rule: blockRule, path, found: `'/' + string(${v('poolPrefix')})`, witness: witness({ [POOL]: 'fd5e:1::/124' }, 'calico/node:v3.2.0') }),
    },
    {
      rule: blockRule, violation: `${clean} && ${hasBlocks} && !${v('blockValid')}`,
      message: message({ rule: blockRule, path: entryPathCel('CALICO_IPV6POOL_BLOCK_SIZE'), found: shownCel(after('CALICO_IPV6POOL_BLOCK_SIZE')), witness: witness({ [POOL]: 'fd5e:1::/112', CALICO_IPV6POOL_BLOCK_SIZE: '7' }) }),
    },
    {
      rule: blockRule, violation: `${clean} && ${hasBlocks} && ${v('blockValid')} && ${v('poolPrefix')} > ${v('blockSize')}`,
      message: message({ rule: blockRule, path, found: `'/' + string(${v('poolPrefix')})`, witness: witness({ [POOL]: 'fd5e:1::/126', CALICO_IPV6POOL_BLOCK_SIZE: '124' }),
        subs: [{ text: '/124', cel: `'/' + string(${v('blockSize')})` }] }),
    },
    {
      rule: poolRule, violation: `${clean} && !cidr(${param('podCIDR')}).containsCIDR(cidr(${v('poolT')}))`,
      message: message({ rule: poolRule, path, found, witness: witness({ [POOL]: 'fd77::/112' }) }),
    },
  ];
}

/**
 * Why CALICO_IPV4POOL_CIDR is not an IPv4 network, in parseIpv4Cidr's words (src/net/ranges.ts parseCidrOf);
 * empty when it is one. Reserved ranges are not told apart: a reserved pool outside ipv4PodCIDR is refused
 * as inconsistent (the same rule, another fix text).
 */
function ipv4PoolVariables(): Variable[] {
  const t = v('v4T');
  return [
    { name: 'v4T', expression: `${known('CALICO_IPV4POOL_CIDR')} ? ${after('CALICO_IPV4POOL_CIDR')}.trim() : ''` },
    {
      name: 'v4Reason',
      expression: firstOf([
        { when: `${t} in ['', 'none']`, then: "''" },
        { when: `!${t}.contains('/')`, then: "'is not a CIDR (no /prefix)'" },
        { when: `!isCIDR(${t})`, then: "'is not a valid CIDR'" },
        { when: `cidr(${t}).ip().family() == 6`, then: "'is an IPv6 CIDR, not IPv4'" },
        { when: `string(cidr(${t}).masked()) != string(cidr(${t}))`, then: `'has host bits set (the network is ' + string(cidr(${t}).masked()) + ')'` },
      ], "''"),
    },
    { name: 'v4Checked', expression: `${DUAL} && ${param('ipv4PodCIDR')} != '' && !(${t} in ['', 'none'])` },
  ];
}

function addressValidations(): Validation[] {
  const ip6 = `${after('IP6')}.trim()`;
  const ip6Bad = `${known('IP6')} && ${ip6} != 'autodetect'`;
  const ip6Path = entryPathCel('IP6');
  const ip6Found = shownCel(after('IP6'));
  const ipPath = entryPathCel('IP');
  const ipVal = v('ipValue');
  const old = `!(${feature('ipNone')})`;
  const verSub = (text: string): Substitution[] => [{ text, cel: v('verText') }];
  const rid = `${after('CALICO_ROUTER_ID')}.trim()`;
  const ridPath = entryPathCel('CALICO_ROUTER_ID');
  const ridChecked = `${V6ONLY} && ${known('IP')} && ${after('IP')} == 'none' && ${v('pk_CALICO_ROUTER_ID')} != 'unknown'`;
  const hashOk = feature('routerIdHash');
  const ridUnset = unsetCel('CALICO_ROUTER_ID', 'pk');
  const dotted = `${rid}.matches('^[0-9]{1,3}(\\\\.[0-9]{1,3}){3}$')`;
  const checks: (Omit<Validation, 'message'> & { path: string; found: string; witness: Witness; subs?: Substitution[] })[] = [
    { rule: 'calico-node/ip6', violation: `${ip6Bad} && ${ip6} == 'none'`, path: ip6Path, found: ip6Found, witness: witness({ IP6: 'none' }) },
    { rule: 'calico-node/ip6', violation: `${ip6Bad} && ${ip6} != 'none' && isIP(${ip6})`, path: ip6Path, found: ip6Found, witness: witness({ IP6: 'fd5e:1::5' }) },
    { rule: 'calico-node/ip6', violation: `${ip6Bad} && ${ip6} != 'none' && !isIP(${ip6})`, path: ip6Path, found: ip6Found, witness: witness({ IP6: 'bogus' }) },
    // ipv6-only: IP must be none, on a calico/node that has it.
    { rule: 'calico-node/ip-none', violation: `${V6ONLY} && ${v('ipKnown')} && ${ipVal} == 'none' && ${old}`, path: ipPath, found: shownAfter('IP'), witness: witness({ IP: 'none' }, 'calico/node:v3.1.77'), subs: verSub('v3.1.77') },
    { rule: 'calico-node/ip-none', violation: `${V6ONLY} && ${v('ipKnown')} && ${ipVal} != 'none' && ${old} && ${ipVal} in ['', 'autodetect']`, path: ipPath, found: shownAfter('IP'), witness: witness({}, 'calico/node:v3.1.77'), subs: verSub('v3.1.77') },
    { rule: 'calico-node/ip-none', violation: `${V6ONLY} && ${v('ipKnown')} && ${ipVal} != 'none' && !(${old} && ${ipVal} in ['', 'autodetect']) && ${v('ipIsV4')}`, path: ipPath, found: shownAfter('IP'), witness: witness({ IP: '10.0.0.1' }) },
    { rule: 'calico-node/ip-none', violation: `${V6ONLY} && ${v('ipKnown')} && ${ipVal} != 'none' && !(${old} && ${ipVal} in ['', 'autodetect']) && !${v('ipIsV4')}`, path: ipPath, found: shownAfter('IP'), witness: witness({ IP: 'bogus' }) },
    // dual-stack keeps IPv4.
    { rule: 'calico-node/ip', violation: `${DUAL} && ${known('IP')} && ${after('IP')} == 'none'`, path: ipPath, found: shownAfter('IP'), witness: witness({ IP: 'none' }, undefined, DUAL_CONFIG) },
    { rule: 'calico-node/ip', violation: `${DUAL} && ${known('IP')} && ${after('IP')} != 'none' && ${v('ipIsV4')}`, path: ipPath, found: shownAfter('IP'), witness: witness({ IP: '10.0.0.1' }, undefined, DUAL_CONFIG) },
    // IP=none needs a router ID.
    { rule: 'calico-node/router-id', violation: `${ridChecked} && ${ridUnset} && !(${hashOk})`, path: ridPath, found: shownAfter('CALICO_ROUTER_ID'), witness: witness({ IP: 'none' }, 'calico/node:v3.5.77'), subs: verSub('v3.5.77') },
    { rule: 'calico-node/router-id', violation: `${ridChecked} && ${ridUnset} && ${hashOk}`, path: ridPath, found: shownAfter('CALICO_ROUTER_ID'), witness: witness({ IP: 'none' }, undefined, { routerID: 'require' }) },
    { rule: 'calico-node/router-id', violation: `${ridChecked} && !${ridUnset} && ${rid} == 'hash' && !(${hashOk})`, path: ridPath, found: shownAfter('CALICO_ROUTER_ID'), witness: witness({ IP: 'none', CALICO_ROUTER_ID: 'hash' }, 'calico/node:v3.5.77'), subs: verSub('v3.5.77') },
    { rule: 'calico-node/router-id', violation: `${ridChecked} && !${ridUnset} && ${rid} != 'hash' && ${dotted}`, path: ridPath, found: shownAfter('CALICO_ROUTER_ID'), witness: witness({ IP: 'none', CALICO_ROUTER_ID: '10.0.0.1' }) },
    { rule: 'calico-node/router-id', violation: `${ridChecked} && !${ridUnset} && ${rid} != 'hash' && !${dotted}`, path: ridPath, found: shownAfter('CALICO_ROUTER_ID'), witness: witness({ IP: 'none', CALICO_ROUTER_ID: 'bogus' }) },
    // CALICO_IPV4POOL_CIDR=none before v3.29 is read as a CIDR and calico-node exits (in either mode).
    { rule: 'calico-node/ipv4-pool', violation: `${V6ONLY} && ${known('CALICO_IPV4POOL_CIDR')} && ${after('CALICO_IPV4POOL_CIDR')} == 'none' && !(${feature('ipv4PoolNone')})`, path: entryPathCel('CALICO_IPV4POOL_CIDR'), found: shownAfter('CALICO_IPV4POOL_CIDR'), witness: witness({ CALICO_IPV4POOL_CIDR: 'none' }, 'calico/node:v3.28.77'), subs: verSub('v3.28.77') },
    { rule: 'calico-node/ipv4-pool', violation: `${DUAL} && ${known('CALICO_IPV4POOL_CIDR')} && ${after('CALICO_IPV4POOL_CIDR')} == 'none' && !(${feature('ipv4PoolNone')})`, path: entryPathCel('CALICO_IPV4POOL_CIDR'), found: shownAfter('CALICO_IPV4POOL_CIDR'), witness: witness({ CALICO_IPV4POOL_CIDR: 'none' }, 'calico/node:v3.28.77', DUAL_CONFIG), subs: verSub('v3.28.77') },
    { rule: 'calico-node/ipv4-pool', violation: `${DUAL} && ${param('ipv4PodCIDR')} != '' && ${known('CALICO_IPV4POOL_CIDR')} && ${after('CALICO_IPV4POOL_CIDR')} == 'none' && ${feature('ipv4PoolNone')}`, path: entryPathCel('CALICO_IPV4POOL_CIDR'), found: shownAfter('CALICO_IPV4POOL_CIDR'), witness: witness({ CALICO_IPV4POOL_CIDR: 'none' }, undefined, DUAL_CONFIG) },
    // dual-stack: CALICO_IPV4POOL_CIDR must be an IPv4 network inside ipv4PodCIDR (calico-node-pools.ts validateIpv4Pool).
    { rule: 'calico-node/ipv4-pool', violation: `${v('v4Checked')} && ${v('v4Reason')} != ''`, path: entryPathCel('CALICO_IPV4POOL_CIDR'), found: shownAfter('CALICO_IPV4POOL_CIDR'), witness: witness({ CALICO_IPV4POOL_CIDR: '10.99.0.1/16' }, undefined, DUAL_CONFIG),
      subs: [{ text: '10.99.0.1/16 has host bits set (the network is 10.99.0.0/16)', cel: `${v('v4T')} + ' ' + ${v('v4Reason')}` }] },
    { rule: 'calico-node/ipv4-pool', violation: `${v('v4Checked')} && ${v('v4Reason')} == '' && !cidr(${param('ipv4PodCIDR')}).containsCIDR(cidr(${v('v4T')}))`, path: entryPathCel('CALICO_IPV4POOL_CIDR'), found: shownAfter('CALICO_IPV4POOL_CIDR'), witness: witness({ CALICO_IPV4POOL_CIDR: '10.99.0.0/16' }, undefined, DUAL_CONFIG) },
    // An IPv6 VXLAN mode calico-node does not know makes it exit (judged where the backend is known).
    {
      rule: 'calico-node/ipv6-encapsulation',
      violation: `${v('creates')} == 'true' && ${v('k_CALICO_NETWORKING_BACKEND')} != 'unknown' && ${v('k_CALICO_NETWORKING')} != 'unknown' && ${known('CALICO_IPV6POOL_VXLAN')} && !(${after('CALICO_IPV6POOL_VXLAN')}.lowerAscii() in ['', 'off', 'never', 'crosssubnet', 'cross-subnet', 'always'])`,
      path: entryPathCel('CALICO_IPV6POOL_VXLAN'), found: shownAfter('CALICO_IPV6POOL_VXLAN'), witness: witness({ CALICO_IPV6POOL_VXLAN: 'bogus' }), subs: [{ text: '"bogus"', cel: shownCel(after('CALICO_IPV6POOL_VXLAN')) }],
    },
  ];
  return checks.map(({ path, found, witness: w, subs, ...rest }) => ({ ...rest, message: message({ rule: rest.rule, path, found, witness: w, subs }) }));
}

export function calicoNodePolicy(): TargetPolicy {
  const list = changes();
  const variables: Variable[] = [
    ...containerVariables(),
    ...envVariables(VARS),
    { name: 'creates', expression: `${v('k_NO_DEFAULT_POOLS')} == 'unknown' ? 'unknown' : (${v('k_NO_DEFAULT_POOLS')} == 'literal' && ${v('v_NO_DEFAULT_POOLS')}.lowerAscii() == 'true' ? 'false' : 'true')` },
    { name: 'ula', expression: `cidr('fc00::/7').containsCIDR(${param('podCIDR')})` },
    ...changeVariables(list),
    { name: 'ipKnown', expression: `${v('pk_IP')} != 'unknown'` },
    { name: 'ipValue', expression: `${v('pk_IP')} == 'absent' ? '' : ${after('IP')}.trim()` },
    { name: 'ipIsV4', expression: `${known('IP')} && isIP(${after('IP')}.trim()) && ip(${after('IP')}.trim()).family() == 4` },
    ...poolVariables(),
    ...ipv4PoolVariables(),
  ];
  const names = calicoNodeTarget.resources.flatMap((r) => (r.names === 'any' ? [] : r.names));
  return {
    target: calicoNodeTarget,
    match: `object.metadata.?name.orValue('') in ${litList(names)} && !(${operatorManagedCel('object')})`,
    variables,
    mutation: mutation(list),
    validations: [...changeValidations(list), ...poolValidations(), ...addressValidations()].map((x) => ({ ...x, violation: `${v('ci')} >= 0 && (${x.violation})` })),
    webhookOnly: calicoNodeWebhookOnly(),
  };
}

/**
 * Objects the policy cannot judge as the webhook does, on `object` alone (a matchCondition cannot read
 * variables): a duplicated variable (the webhook patches the last entry and warns), the eBPF data plane,
 * dual-stack IPv4 block sizes, the legacy CALICO_NETWORKING switch and the vxlan backend's carrier. Read on
 * every container, which only sends more objects to the webhook, never fewer.
 */
function calicoNodeWebhookOnly(): string {
  return `object.?spec.?template.?spec.?containers.orValue([]).exists(c, c.?env.orValue([]).exists(e, e.name in ${litList(WEBHOOK_ONLY_VARS)} `
    // No BIRD with the vxlan and none backends (calico node/filesystem/etc/rc.local:45-61): the webhook then
    // needs no router ID and may leave IPv6 VXLAN alone, which the policies do not model.
    + `|| (e.name == 'CALICO_NETWORKING_BACKEND' && e.?value.orValue('') in ['vxlan', 'none'])`
    // IPv6 VXLAN: on the releases of projectcalico/calico#12896 the pool's VXLAN is ignored once the IPv4
    // pool is none, which the webhook refuses or keeps from happening by release; CEL leaves it to it.
    + ` || (e.name == 'CALICO_IPV6POOL_VXLAN' && e.?value.orValue('') != 'Never')`
    // The IPv6 switches read through a ConfigMap: only the webhook resolves them (a "false" there is refused).
    + ` || (e.name in ${litList(RESOLVED_BY_WEBHOOK)} && e.?valueFrom.hasValue())`
    + `) || ${litList(VARS)}.exists(n, c.?env.orValue([]).filter(e, e.name == n).size() > 1))`;
}
