// IPPool in CEL (rules/ip-pool.ts, ipv6-pool.ts) with Kubernetes' IP and CIDR library: family, strict
// masking, reserved ranges, block size, containment in podCIDR, no overlap with serviceCIDR, IPIP, VXLAN.
import { ipPoolTarget } from '../targets/ippool/ippool.js';
import { IPV6_BLOCK_DEFAULT, IPV6_BLOCK_MAX, IPV6_BLOCK_MIN } from '../targets/shared/ipv6-pool.js';
import { CALICO_FEATURES } from '../targets/shared/calico-version.js';
import type { KubeObject } from '../k8s/object.js';
import type { RawConfig } from '../config/types.js';
import { celVersionOfParts, celVersionParts, lit, mappedCel, mappedRangeCel, versionNumber, type Substitution } from './cel.js';
import { v } from './env-cel.js';
import { param } from './params.js';
import { message, shownCel, type Witness } from './texts.js';
import type { TargetPolicy, Validation, Variable } from './model.js';

function pool(spec: Record<string, unknown>, config?: RawConfig, oldSpec?: Record<string, unknown>): Witness {
  const object = (s: Record<string, unknown>): KubeObject => ({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'pool' }, spec: s });
  return { object: object(spec), ...(config ? { config } : {}), ...(oldSpec ? { operation: 'UPDATE', oldObject: object(oldSpec) } : {}) };
}

const RESERVED = [{ range: 'fe80::/10', example: 'fe80::/64' }, { range: 'ff00::/8', example: 'ff02::/16' }, { range: '::1/128', example: '::1/128' }];

function variables(): Variable[] {
  const t = v('cidrT');
  return [
    { name: 'cidrT', expression: "object.?spec.?cidr.orValue('').trim()" },
    { name: 'family', expression: `isCIDR(${t}) ? cidr(${t}).ip().family() : 0` },
    { name: 'v6', expression: `${v('family')} == 6` },
    { name: 'strict', expression: `${v('v6')} && string(cidr(${t}).masked()) == string(cidr(${t}))` },
    { name: 'reserved', expression: RESERVED.map((r) => `(cidr(${lit(r.range)}).containsIP(cidr(${t}).ip()) || cidr(${t}).containsIP(cidr(${lit(r.range)}).ip()))`).join(' || ') },
    { name: 'blockGiven', expression: 'object.?spec.?blockSize.orValue(0) != 0' },
    { name: 'blockValid', expression: `!${v('blockGiven')} || (object.spec.blockSize >= ${IPV6_BLOCK_MIN} && object.spec.blockSize <= ${IPV6_BLOCK_MAX})` },
    { name: 'blockSize', expression: `${v('blockGiven')} && ${v('blockValid')} ? object.spec.blockSize : ${IPV6_BLOCK_DEFAULT}` },
    { name: 'enabled', expression: '!object.?spec.?disabled.orValue(false)' },
    {
      name: 'calicoVersion',
      expression: `${param('calicoVersion')} != '' ? ${celVersionOfParts(celVersionParts(param('calicoVersion')))} : -1`,
    },
    { name: 'oldCidr', expression: "request.operation == 'UPDATE' && oldObject != null ? oldObject.?spec.?cidr.orValue('') : ''" },
    // The webhook judges every UPDATE whose old object has a spec, even one with no cidr (rules/ip-pool.ts checkUpdate).
    { name: 'hasOldSpec', expression: "request.operation == 'UPDATE' && oldObject != null && oldObject.?spec.hasValue()" },
  ];
}

export function ipPoolPolicy(): TargetPolicy {
  const t = v('cidrT');
  const found = shownCel(t);
  const cidrPath = "'spec.cidr'";
  const checks: (Omit<Validation, 'message'> & { path: string; found: string; witness: Witness; subs?: Substitution[] })[] = [
    {
      rule: 'ippool/cidr', violation: mappedCel(t), path: cidrPath, found, witness: pool({ cidr: '::ffff:10.0.0.0/104' }),
      subs: [{ text: '::ffff:10.0.0.0/104 is', cel: `${t} + ' is'` }, { text: 'write 10.0.0.0/8 for', cel: `'write ' + ${mappedRangeCel(t)} + ' for'` }],
    },
    { rule: 'ippool/cidr', violation: `${v('family')} == 0 && !${mappedCel(t)}`, path: cidrPath, found: "object.spec.?cidr.hasValue() ? '\"' + object.spec.cidr + '\"' : 'absent'", witness: pool({ cidr: 'bogus' }) },
    {
      rule: 'ippool/cidr', violation: `${v('v6')} && !${v('strict')}`, path: cidrPath, found, witness: pool({ cidr: 'fd77::1/112' }),
      subs: [{ text: 'fd77::1/112 has host bits set (the network is fd77::/112)', cel: `${t} + ' has host bits set (the network is ' + string(cidr(${t}).masked()) + ')'` }],
    },
    ...RESERVED.map((r) => ({
      rule: 'ippool/cidr', violation: `${v('strict')} && (cidr(${lit(r.range)}).containsIP(cidr(${t}).ip()) || cidr(${t}).containsIP(cidr(${lit(r.range)}).ip()))`,
      path: cidrPath, found, witness: pool({ cidr: r.example }), subs: [{ text: `${r.example} overlaps`, cel: `string(cidr(${t})) + ' overlaps'` }],
    })),
    { rule: 'ippool/block-size', violation: `${v('v6')} && !${v('blockValid')}`, path: "'spec.blockSize'", found: 'string(object.spec.blockSize)', witness: pool({ cidr: 'fd5e:1::/112', blockSize: 7 }) },
    {
      rule: 'ippool/block-size', violation: `${v('strict')} && ${v('enabled')} && ${v('blockValid')} && cidr(${t}).prefixLength() > ${v('blockSize')}`,
      path: cidrPath, found: `'/' + string(cidr(${t}).prefixLength())`, witness: pool({ cidr: 'fd5e:1::/126', blockSize: 124 }), subs: [{ text: '/124', cel: `'/' + string(${v('blockSize')})` }],
    },
    { rule: 'ippool/pod-cidr', violation: `${v('strict')} && ${v('enabled')} && !cidr(${param('podCIDR')}).containsCIDR(cidr(${t}))`, path: cidrPath, found, witness: pool({ cidr: 'fd77::/112' }) },
    {
      rule: 'ippool/service-cidr', path: cidrPath, found, witness: pool({ cidr: 'fd5e:2::/112' }),
      violation: `${v('strict')} && ${v('enabled')} && (cidr(${param('serviceCIDR')}).containsIP(cidr(${t}).ip()) || cidr(${t}).containsIP(cidr(${param('serviceCIDR')}).ip()))`,
    },
    { rule: 'ippool/ipip', violation: `${v('v6')} && !(object.spec.?ipipMode.orValue('') in ['', 'Never'])`, path: "'spec.ipipMode'", found: shownCel('object.spec.ipipMode'), witness: pool({ cidr: 'fd5e:1::/112', ipipMode: 'Always' }) },
    {
      rule: 'ippool/vxlan', path: "'spec.vxlanMode'", found: shownCel('object.spec.vxlanMode'), witness: pool({ cidr: 'fd5e:1::/112', vxlanMode: 'Always' }, { calicoVersion: 'v3.22.77' }),
      subs: [{ text: 'v3.22.77', cel: `'v' + string(${v('calicoVersion')} / 1000000) + '.' + string(${v('calicoVersion')} / 1000 % 1000) + '.' + string(${v('calicoVersion')} % 1000)` }],
      violation: `${v('v6')} && object.spec.?vxlanMode.orValue('') in ['Always', 'CrossSubnet'] && ${v('calicoVersion')} >= 0 && ${v('calicoVersion')} < ${versionNumber(CALICO_FEATURES.vxlanIPv6)}`,
    },
    {
      rule: 'ippool/cidr-immutable', path: cidrPath, found, witness: pool({ cidr: 'fd66::/113' }, undefined, { cidr: 'fd66::/112' }),
      subs: [{ text: '"fd66::/112"', cel: shownCel(v('oldCidr')) }],
      violation: `${v('hasOldSpec')} && ${v('family')} != 0 && ${v('oldCidr')} != ${t} && !(isCIDR(${v('oldCidr')}) && ${v('strict')} && string(cidr(${v('oldCidr')})) == string(cidr(${t})) && ${t} == string(cidr(${t})))`,
    },
  ];
  return {
    target: ipPoolTarget,
    match: 'true',
    variables: variables(),
    validations: checks.map(({ path, found: f, witness, subs, ...rest }) => ({ ...rest, message: message({ rule: rest.rule, path, found: f, witness, subs }) })),
  };
}
