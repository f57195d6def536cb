// One IPv6 pool judged as Calico and the Tigera operator judge it: shared by the Installation's
// spec.calicoNetwork.ipPools and by IPPool objects, so both answer the same pool the same way.
import { cidrHolds, parseIpv6Cidr, reservedOverlap, type Ipv6Cidr, cidrsOverlap, isUniqueLocal } from '../../net/ranges.js';
import { shown, type Report } from '../report.js';
import type { RuleContext } from '../target.js';

/** Calico's IPv6 block size range and default (libcalico-go clientv3/ippool.go; operator ippool/validation.go). */
export const IPV6_BLOCK_MIN = 116;
export const IPV6_BLOCK_MAX = 128;
export const IPV6_BLOCK_DEFAULT = 122;

export interface PoolFields {
  /** Rule id prefix of every finding: `installation` or `ippool`. */
  rule: string;
  cidr: string;
  /** As written; undefined means the default. */
  blockSize: unknown;
  /** A disabled pool allocates nothing: only its syntax is checked (Calico skips the size check for it). */
  disabled: boolean;
  natOutgoing: boolean;
  paths: { cidr: string; blockSize: string; natOutgoing: string };
  /** How to turn natOutgoing on for this kind of object. */
  natOutgoingFix: string;
  /** How a warning names the pool: `IPPool pool-1`, `Installation default: ipPools[cidr=fd20::/112]`. */
  label: string;
  /**
   * `loadBalancer` (allowedUses [LoadBalancer]): Service addresses handed out by Calico's LoadBalancer IPAM,
   * not pod addresses, so not held to podCIDR and no NAT-outgoing advice; it must stay off the pod range,
   * since Calico refuses overlapping pools (libcalico-go clientv3/ippool.go validateAndSetDefaults, the
   * "CIDR overlaps with IPPool" check).
   */
  use?: 'workload' | 'loadBalancer';
}

/** The block size a pool uses, or undefined (with a problem recorded) when it cannot be one. */
function blockSizeOf(pool: PoolFields, report: Report): number | undefined {
  if (pool.blockSize === undefined) return IPV6_BLOCK_DEFAULT;
  const size = pool.blockSize;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < IPV6_BLOCK_MIN || size > IPV6_BLOCK_MAX) {
    report.problem({ rule: `${pool.rule}/block-size`, path: pool.paths.blockSize, found: shown(size), expected: `a whole number from ${IPV6_BLOCK_MIN} to ${IPV6_BLOCK_MAX}`,
      fix: `IPv6 block size must be between ${IPV6_BLOCK_MIN} and ${IPV6_BLOCK_MAX}; set ${IPV6_BLOCK_DEFAULT} (the default) or leave it out` });
    return undefined;
  }
  return size;
}

/**
 * Checks one IPv6 pool and returns its parsed CIDR when it has one. Problems: not a strictly masked
 * IPv6 CIDR, overlapping a reserved range, a block size outside 116..128, a pool smaller than a block,
 * outside podCIDR, overlapping serviceCIDR. Warning: a unique local pool without outgoing NAT.
 */
export function judgeIpv6Pool(pool: PoolFields, ctx: RuleContext, report: Report): Ipv6Cidr | undefined {
  const { config } = ctx;
  const cidrRule = `${pool.rule}/cidr`;
  const parsed = parseIpv6Cidr(pool.cidr);
  if (!parsed.ok) {
    report.problem({ rule: cidrRule, path: pool.paths.cidr, found: shown(pool.cidr), expected: `a strictly masked IPv6 CIDR inside podCIDR ${config.podCIDR.text}`,
      fix: `${pool.cidr} ${parsed.reason}; set ${config.podCIDR.text}, the cluster's pod CIDR` });
    blockSizeOf(pool, report);
    return undefined;
  }
  const cidr = parsed.cidr;
  const reserved = reservedOverlap(cidr);
  if (reserved) {
    report.problem({ rule: cidrRule, path: pool.paths.cidr, found: shown(pool.cidr), expected: 'a routable IPv6 range',
      fix: `${cidr.text} overlaps ${reserved}, which cannot address pods; use ${config.podCIDR.text}, the cluster's pod CIDR` });
  }
  const blockSize = blockSizeOf(pool, report);
  if (pool.disabled) return cidr;
  if (blockSize !== undefined && cidr.prefix > blockSize) {
    report.problem({ rule: `${pool.rule}/block-size`, path: pool.paths.cidr, found: `/${cidr.prefix}`, expected: `/${blockSize} or larger (the block size)`,
      fix: `IP pool size is too small for use with Calico IPAM: it must hold at least one /${blockSize} block; widen the pool or raise blockSize` });
  }
  if (pool.use === 'loadBalancer') {
    judgeLoadBalancerRange(pool, cidr, ctx, report);
    return cidr;
  }
  if (!cidrHolds(config.podCIDR, cidr)) {
    report.problem({ rule: `${pool.rule}/pod-cidr`, path: pool.paths.cidr, found: shown(pool.cidr), expected: `inside podCIDR ${config.podCIDR.text}`,
      fix: `pods would get addresses kube-proxy and the controller manager do not know (--cluster-cidr ${config.podCIDR.text}); use ${config.podCIDR.text} or a range inside it` });
  }
  if (cidrsOverlap(config.serviceCIDR, cidr)) {
    report.problem({ rule: `${pool.rule}/service-cidr`, path: pool.paths.cidr, found: shown(pool.cidr), expected: `no overlap with serviceCIDR ${config.serviceCIDR.text}`,
      fix: `pod addresses would collide with Service cluster IPs (--service-cluster-ip-range ${config.serviceCIDR.text}); use a range inside ${config.podCIDR.text} that avoids it` });
  }
  if (isUniqueLocal(cidr) && !pool.natOutgoing) {
    report.warn(`${pool.label}: ${cidr.text} is a unique local range (fc00::/7), not routed on the internet; pods reach outside the cluster only with outgoing NAT (${pool.natOutgoingFix})`);
  }
  return cidr;
}

/** A LoadBalancer pool: off the pod range and the Service cluster IPs; its addresses are not pods'. */
function judgeLoadBalancerRange(pool: PoolFields, cidr: Ipv6Cidr, ctx: RuleContext, report: Report): void {
  const { config } = ctx;
  if (cidrsOverlap(config.podCIDR, cidr)) {
    report.problem({ rule: `${pool.rule}/pod-overlap`, path: pool.paths.cidr, found: shown(pool.cidr), expected: `no overlap with podCIDR ${config.podCIDR.text} (the pod pools)`,
      fix: `a LoadBalancer pool holds Service addresses, and Calico refuses a pool that overlaps another ("IPPool CIDR overlaps with IPPool"); use a range outside ${config.podCIDR.text}` });
  }
  if (cidrsOverlap(config.serviceCIDR, cidr)) {
    report.problem({ rule: `${pool.rule}/service-cidr`, path: pool.paths.cidr, found: shown(pool.cidr), expected: `no overlap with serviceCIDR ${config.serviceCIDR.text}`,
      fix: `LoadBalancer addresses would collide with Service cluster IPs (--service-cluster-ip-range ${config.serviceCIDR.text}); use a range outside it` });
  }
}
