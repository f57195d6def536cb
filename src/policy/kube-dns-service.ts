// kube-dns Service in CEL (targets/kube-dns-service): on CREATE clusterIP, clusterIPs and ipFamilies are
// set to the cluster DNS address by a JSONPatch; on UPDATE a manifest's IPv4 or missing clusterIP is
// replaced by the stored one, and any other address is refused as immutable. Addresses are compared as
// ip() values, so `fd00:10:96::A` and `fd00:10:96:0::a` are the same address, as the webhook compares them.
import { kubeDnsServiceTarget } from '../targets/kube-dns-service/kube-dns-service.js';
import type { KubeObject } from '../k8s/object.js';
import type { RawConfig } from '../config/types.js';
import { lit, type Substitution } from './cel.js';
import { v } from './env-cel.js';
import { canonicalParam, param } from './params.js';
import { message, shownCel, type Witness } from './texts.js';
import type { TargetPolicy, Validation, Variable } from './model.js';

const WITNESS_NS = 'kube-system';

function service(spec: Record<string, unknown>, oldSpec?: Record<string, unknown>, config?: RawConfig): Witness {
  const object = (s: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: WITNESS_NS }, spec: s });
  return { object: object(spec), ...(config ? { config } : {}), ...(oldSpec ? { operation: 'UPDATE' as const, oldObject: object(oldSpec) } : {}) };
}

/** CEL: text `x` is the cluster DNS address (an IPv6 address equal to clusterDNS as an address). */
const isDns = (x: string) => `(isIP(${x}) && ip(${x}).family() == 6 && string(ip(${x})) == ${v('dns')})`;
const isV4 = (x: string) => `(isIP(${x}) && ip(${x}).family() == 4)`;
/** CEL showing a list of strings as the webhook's `shown` does (JSON). */
const shownList = (list: string) => `'[' + ${list}.map(s, '"' + s + '"').join(',') + ']'`;

function variables(): Variable[] {
  const spec = 'object.?spec';
  const old = 'oldObject.?spec';
  return [
    // The address as the webhook writes it: canonical (RFC 5952), whatever the params say.
    { name: 'dns', expression: canonicalParam('clusterDNS') },
    { name: 'create', expression: "request.operation == 'CREATE'" },
    { name: 'update', expression: "request.operation == 'UPDATE' && oldObject != null" },
    { name: 'ipGiven', expression: `${spec}.?clusterIP.hasValue()` },
    { name: 'ip', expression: `${spec}.?clusterIP.orValue('')` },
    { name: 'oldIp', expression: `${v('update')} ? ${old}.?clusterIP.orValue('') : ''` },
    { name: 'ipDns', expression: isDns(v('ip')) },
    // UPDATE: the stored address is the DNS address and the manifest gives none or an IPv4 one (kubectl's
    // three-way merge re-sends the upstream manifest's): the stored Service is kept.
    { name: 'keep', expression: `${v('update')} && ${isDns(v('oldIp'))} && !${v('ipDns')} && (!${v('ipGiven')} || ${isV4(v('ip'))})` },
    // A PUT may omit clusterIP; the API server then keeps the stored one.
    { name: 'effectiveIp', expression: `${v('ipGiven')} ? ${v('ip')} : ${v('oldIp')}` },
    { name: 'ipsGiven', expression: `${spec}.?clusterIPs.hasValue()` },
    { name: 'ips', expression: `${spec}.?clusterIPs.orValue([])` },
    {
      name: 'ipsFit',
      expression: `!${v('ipsGiven')} || (size(${v('ips')}) >= 1 && ${isDns(`${v('ips')}[0]`)} && (${param('mode')} == 'dual-stack' || size(${v('ips')}) == 1))`,
    },
    // The families judged: the stored ones when the stored Service is kept.
    { name: 'families', expression: `${v('keep')} && ${old}.?ipFamilies.hasValue() ? oldObject.spec.ipFamilies : ${spec}.?ipFamilies.orValue([])` },
    { name: 'familiesGiven', expression: `(${v('keep')} && ${old}.?ipFamilies.hasValue()) || ${spec}.?ipFamilies.hasValue()` },
    { name: 'expectedFamilies', expression: `['IPv6'] + (${param('mode')} == 'ipv6-only' ? [] : ${v('families')}.filter(f, f != 'IPv6'))` },
    { name: 'familiesFit', expression: `!${v('familiesGiven')} || ${v('families')} == ${v('expectedFamilies')}` },
  ];
}

export function kubeDnsServicePolicy(): TargetPolicy {
  const found = `(${v('ipGiven')} ? ${shownCel(v('ip'))} : 'absent')`;
  const familySubs: Substitution[] = [{ text: '["IPv6"]', cel: shownList(v('expectedFamilies')) }, { text: '(ipv6-only)', cel: `'(' + ${param('mode')} + ')'` }];
  const checks: (Omit<Validation, 'message'> & { path: string; found: string; witness: Witness; subs?: Substitution[]; mutable?: boolean })[] = [
    {
      rule: 'kube-dns-service/cluster-ip', violation: `${v('create')} && !${v('ipDns')}`, mutable: true,
      path: "'spec.clusterIP'", found, witness: service({ clusterIP: '10.96.0.10' }),
      subs: [{ text: '"fd5e:2::a"', cel: shownCel(v('dns')) }],
    },
    {
      rule: 'kube-dns-service/cluster-ip', violation: `${v('create')} && !${v('ipsFit')}`, mutable: true,
      path: "'spec.clusterIPs'", found: shownList(v('ips')), witness: service({ clusterIP: 'fd5e:2::a', clusterIPs: ['10.96.0.10'] }),
      subs: [{ text: '["fd5e:2::a"]', cel: `'["' + ${v('dns')} + '"]'` }],
    },
    {
      rule: 'kube-dns-service/ip-families', violation: `${v('create')} && !${v('familiesFit')}`, mutable: true,
      path: "'spec.ipFamilies'", found: shownList(v('families')), witness: service({ clusterIP: 'fd5e:2::a', ipFamilies: ['IPv4'] }), subs: familySubs,
    },
    {
      rule: 'kube-dns-service/cluster-ip', violation: v('keep'), mutable: true,
      path: "'spec.clusterIP'", found, witness: service({ clusterIP: '10.96.0.10' }, { clusterIP: 'fd5e:2::a' }),
      subs: [{ text: '"fd5e:2::a"', cel: shownCel(v('oldIp')) }],
    },
    {
      rule: 'kube-dns-service/cluster-ip-immutable', violation: `${v('update')} && !${v('keep')} && !${isDns(v('effectiveIp'))}`,
      path: "'spec.clusterIP'", found: `(${v('effectiveIp')} == '' && !${v('ipGiven')} && !oldObject.?spec.?clusterIP.hasValue() ? 'absent' : ${shownCel(v('effectiveIp'))})`,
      witness: service({ clusterIP: 'fd5e:2::b' }, { clusterIP: 'fd5e:2::b' }),
      subs: [
        { text: `-n ${WITNESS_NS} kube-dns`, cel: `'-n ' + object.metadata.?namespace.orValue('kube-system') + ' kube-dns'` },
        { text: '"fd5e:2::a"', cel: shownCel(v('dns')) },
        { text: 'sets fd5e:2::a)', cel: `'sets ' + ${v('dns')} + ')'` },
      ],
    },
    {
      rule: 'kube-dns-service/ip-families', violation: `${v('update')} && !${v('familiesFit')}`,
      path: "'spec.ipFamilies'", found: shownList(v('families')), witness: service({ clusterIP: 'fd5e:2::a', ipFamilies: ['IPv4'] }, { clusterIP: 'fd5e:2::a' }), subs: familySubs,
    },
    {
      rule: 'kube-dns-service/ip-family-policy', violation: `${param('mode')} == 'ipv6-only' && ${'object.?spec'}.?ipFamilyPolicy.orValue('') == 'RequireDualStack'`,
      path: "'spec.ipFamilyPolicy'", found: shownCel('object.spec.ipFamilyPolicy'), witness: service({ clusterIP: 'fd5e:2::a', ipFamilyPolicy: 'RequireDualStack' }),
    },
  ];
  const add = (path: string, value: string) => `JSONPatch{op: 'add', path: ${lit(path)}, value: ${value}}`;
  const onCreate = [
    `(!${v('ipDns')} ? [${add('/spec/clusterIP', v('dns'))}] : [])`,
    `(!${v('ipsFit')} ? [${add('/spec/clusterIPs', `[${v('dns')}]`)}] : [])`,
    `(!${v('familiesFit')} ? [${add('/spec/ipFamilies', v('expectedFamilies'))}] : [])`,
  ].join(' + ');
  // .map(x, x) copies a list of the object into a CEL list: the API server's typed object lists cannot be
  // written as a JSONPatch value (k8s.io/apiserver@v0.37.2 pkg/cel/common/valuesreflect.go:261-267).
  const onKeep = [
    `[${add('/spec/clusterIP', 'oldObject.spec.clusterIP')}]`,
    `(oldObject.spec.?clusterIPs.hasValue() ? [${add('/spec/clusterIPs', 'oldObject.spec.clusterIPs.map(x, x)')}] : [])`,
    `(oldObject.spec.?ipFamilies.hasValue() ? [${add('/spec/ipFamilies', 'oldObject.spec.ipFamilies.map(x, x)')}] : [])`,
  ].join(' + ');
  return {
    target: kubeDnsServiceTarget,
    // Another CoreDNS install's Service named kube-dns (outside kube-system), and ExternalName Services (no
    // cluster IP), are left alone, as the webhook leaves them.
    match: `object.metadata.?name.orValue('') == 'kube-dns' && object.?spec.?type.orValue('') != 'ExternalName'`
      + ` && !(object.metadata.?labels.orValue({}).exists(k, k == 'kubernetes.io/name' && object.metadata.labels[k] == 'CoreDNS')`
      + ` && object.metadata.?namespace.orValue('') != '' && object.metadata.?namespace.orValue('') != 'kube-system')`,
    variables: variables(),
    mutation: `${v('create')} && has(object.spec) ? (${onCreate}) : (${v('keep')} ? (${onKeep}) : [])`,
    validations: checks.map(({ path, found: f, witness, subs, mutable, ...rest }) => ({ ...rest, message: message({ rule: rest.rule, path, found: f, witness, subs, mutable }) })),
  };
}
