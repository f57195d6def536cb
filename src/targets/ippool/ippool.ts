// IPPool objects (crd.projectcalico.org/v1, and projectcalico.org/v3 served as a CRD): validated as
// Calico validates them (libcalico-go clientv3/ippool.go, the v3 API's CEL rules), never mutated.
import { CALICO_FEATURES, describeVersion, knownCalicoVersion, supports } from '../shared/calico-version.js';
import { IPV6_BLOCK_DEFAULT, judgeIpv6Pool } from '../shared/ipv6-pool.js';
import { isRecord, nameOf, type KubeObject } from '../../k8s/object.js';
import { cidrFamily, parseIpv6Cidr } from '../../net/ranges.js';
import { formatVersion } from '../../k8s/versions.js';
import { ipv4PoolOutsidePodCIDR } from '../shared/pool-settings.js';
import { IPV4_MAPPED_EXPECTED, ipv4MappedFix, ipv4MappedRange } from './ipv4-mapped.js';
import { shown, type Report } from '../report.js';
import { defineTarget, type RuleContext } from '../target.js';

const RULE = 'ippool';

const ENABLED_MODES = new Set(['Always', 'CrossSubnet']);
/** What the CRD's own rule says (ippool.go CEL, "IPIP is not supported on IPv6 pools"): the webhook says the same. */
export const IPIP_ON_IPV6 = 'IPIP is not supported on IPv6 pools';
export const CIDR_IMMUTABLE = 'CIDR cannot be changed; follow IP pool migration guide to avoid corruption.';
export const BLOCK_SIZE_IMMUTABLE = 'Block size cannot be changed; follow IP pool migration guide to avoid corruption.';

function specOf(object: KubeObject, report: Report): Record<string, unknown> | undefined {
  if (isRecord(object.spec)) return object.spec;
  report.malform({ rule: `${RULE}/shape`, path: 'spec', found: shown(object.spec), expected: 'a mapping with cidr', fix: 'write spec as a mapping with at least cidr' });
  return undefined;
}

/** Calico's comparison (clientv3/ippool.go cidrChangeOK): the same network, written canonically, is no change. */
function sameNetwork(oldCidr: unknown, newCidr: string): boolean {
  if (oldCidr === newCidr) return true;
  if (typeof oldCidr !== 'string') return false;
  const a = parseIpv6Cidr(oldCidr);
  const b = parseIpv6Cidr(newCidr);
  return a.ok && b.ok && a.cidr.text === b.cidr.text && newCidr === b.cidr.text;
}

function defaultedBlockSize(value: unknown, family: 4 | 6): unknown {
  return value === undefined || value === 0 ? (family === 6 ? IPV6_BLOCK_DEFAULT : 26) : value;
}

function checkUpdate(spec: Record<string, unknown>, cidr: string, family: 4 | 6, ctx: RuleContext, report: Report): void {
  const oldSpec = isRecord(ctx.oldObject?.spec) ? ctx.oldObject.spec : undefined;
  if (ctx.operation !== 'UPDATE' || !oldSpec) return;
  if (!sameNetwork(oldSpec.cidr, cidr)) {
    report.problem({ rule: `${RULE}/cidr-immutable`, path: 'spec.cidr', found: shown(cidr), expected: shown(oldSpec.cidr),
      fix: `${CIDR_IMMUTABLE} Create a new IPPool for the new range, then disable this one (disabled: true) and delete it once its addresses are released` });
  }
  const oldBlock = defaultedBlockSize(oldSpec.blockSize, family);
  const newBlock = defaultedBlockSize(spec.blockSize, family);
  if (oldBlock !== newBlock) {
    report.problem({ rule: `${RULE}/block-size-immutable`, path: 'spec.blockSize', found: shown(newBlock), expected: shown(oldBlock),
      fix: `${BLOCK_SIZE_IMMUTABLE} Create a new IPPool with the new block size, then disable this one` });
  }
}

function checkEncapsulation(spec: Record<string, unknown>, ctx: RuleContext, report: Report): void {
  const ipip = spec.ipipMode;
  if (ipip !== undefined && ipip !== 'Never' && ipip !== '') {
    report.problem({ rule: `${RULE}/ipip`, path: 'spec.ipipMode', found: shown(ipip), expected: '"Never"',
      fix: `${IPIP_ON_IPV6} (an IPIP tunnel carries only IPv4); set ipipMode: Never, and vxlanMode: Always or CrossSubnet if the pool needs encapsulation` });
  }
  const vxlan = spec.vxlanMode;
  const version = knownCalicoVersion(ctx);
  if (typeof vxlan === 'string' && ENABLED_MODES.has(vxlan) && version && !supports(version, 'vxlanIPv6')) {
    report.problem({ rule: `${RULE}/vxlan`, path: 'spec.vxlanMode', found: shown(vxlan), expected: `"Never" before Calico ${formatVersion(CALICO_FEATURES.vxlanIPv6)}`,
      fix: `VXLAN on an IPv6 pool needs Calico >= ${formatVersion(CALICO_FEATURES.vxlanIPv6)} (running ${describeVersion(version)}); set vxlanMode: Never and route with BGP, or upgrade Calico` });
  }
}

/**
 * The pool's use (api/pkg/apis/projectcalico/v3/ippool.go: allowedUses defaults to [Workload, Tunnel];
 * its CEL rules forbid LoadBalancer beside Workload or Tunnel, and IPIP or VXLAN on a LoadBalancer pool).
 */
function useOf(spec: Record<string, unknown>, report: Report): 'workload' | 'loadBalancer' {
  const uses = Array.isArray(spec.allowedUses) ? spec.allowedUses : [];
  if (!uses.includes('LoadBalancer')) return 'workload';
  if (uses.some((u) => u === 'Workload' || u === 'Tunnel')) {
    report.problem({ rule: `${RULE}/allowed-uses`, path: 'spec.allowedUses', found: shown(spec.allowedUses), expected: '["LoadBalancer"] alone, or Workload and Tunnel',
      fix: 'LoadBalancer cannot be combined with Workload or Tunnel allowed uses (Calico\'s IPPool CRD rule); make two pools' });
  }
  const encapsulated = [spec.ipipMode, spec.vxlanMode].some((mode) => typeof mode === 'string' && ENABLED_MODES.has(mode));
  if (encapsulated) {
    report.problem({ rule: `${RULE}/allowed-uses`, path: 'spec.allowedUses', found: shown(spec.allowedUses), expected: 'ipipMode and vxlanMode Never',
      fix: 'LoadBalancer IP pool cannot have IPIP or VXLAN enabled (Calico\'s IPPool CRD rule); set both to Never' });
  }
  return 'loadBalancer';
}

function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const spec = specOf(object, report);
  if (!spec) return;
  const label = `IPPool ${nameOf(object) ?? '(unnamed)'}`;
  const cidr = spec.cidr;
  if (typeof cidr !== 'string' || cidrFamily(cidr) === undefined) {
    report.problem({ rule: `${RULE}/cidr`, path: 'spec.cidr', found: shown(cidr), expected: `an IPv6 CIDR inside podCIDR ${ctx.config.podCIDR.text}`,
      fix: 'IPPool CIDR must be a valid subnet; set spec.cidr' });
    return;
  }
  const mapped = ipv4MappedRange(cidr);
  if (mapped) {
    report.problem({ rule: `${RULE}/cidr`, path: 'spec.cidr', found: shown(cidr), expected: IPV4_MAPPED_EXPECTED, fix: ipv4MappedFix(cidr, mapped, ctx.config.podCIDR.text) });
    return;
  }
  const family = cidrFamily(cidr) ?? 6;
  checkUpdate(spec, cidr, family, ctx, report);
  const use = useOf(spec, report);
  if (family === 4 && use === 'loadBalancer') {
    if (ctx.config.mode === 'ipv6-only') report.warn(`${label}: ${cidr} is an IPv4 LoadBalancer pool in an IPv6-only cluster; Services there are IPv6, so none gets an address from it`);
    return;
  }
  if (family === 4) {
    const outside = ipv4PoolOutsidePodCIDR(ctx.config, cidr);
    if (ctx.config.mode === 'ipv6-only') {
      report.warn(`${label}: ${cidr} is an IPv4 pool in an IPv6-only cluster; no pod gets an address from it (disable or delete it)`);
    } else if (outside) {
      report.problem({ rule: `${RULE}/ipv4-pod-cidr`, path: 'spec.cidr', found: shown(cidr), expected: `inside ipv4PodCIDR ${outside}`,
        fix: `pods would get IPv4 addresses kube-proxy and the controller manager do not know (--cluster-cidr); use ${outside} or a range inside it` });
    }
    return;
  }
  judgeIpv6Pool({
    rule: RULE, cidr, blockSize: spec.blockSize === 0 ? undefined : spec.blockSize, disabled: spec.disabled === true, natOutgoing: spec.natOutgoing === true,
    paths: { cidr: 'spec.cidr', blockSize: 'spec.blockSize', natOutgoing: 'spec.natOutgoing' }, natOutgoingFix: 'set spec.natOutgoing: true', label, use,
  }, ctx, report);
  if (use === 'workload') checkEncapsulation(spec, ctx, report);
}

const IPPOOL = { resource: 'ippools', kind: 'IPPool', namespaced: false, names: 'any' } as const;

export const ipPoolTarget = defineTarget({
  id: RULE,
  description: 'IPPool (crd.projectcalico.org/v1, projectcalico.org/v3): an IPv6 pool inside podCIDR, off the service range, block size 116-128, no IPIP, VXLAN from v3.23',
  // The classic CRD that `kubectl apply` of an IPPool creates, and the v3 API served as a CRD (Calico's newer mode).
  resources: [{ group: 'crd.projectcalico.org', versions: ['v1'], ...IPPOOL }, { group: 'projectcalico.org', versions: ['v3'], ...IPPOOL }],
  // IPPools are never changed: Calico's own defaulting fills them in, and a pool is the user's to write.
  validate,
});
