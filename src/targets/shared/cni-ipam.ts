// The ipam sections of a CNI network configuration, judged wherever the configuration is given: the
// calico-config ConfigMap's cni_network_config, or inline in install-cni's CNI_NETWORK_CONFIG env. calico-ipam
// assigns IPv6 (string flags); host-local takes the node's IPv6 pod CIDR, in the `subnet` and `ranges` forms.
import type { JSONPath } from 'jsonc-parser';
import type { CniTemplate, IpamSection } from './cni-template.js';
import { CALICO_FEATURES, describeVersion, supports } from './calico-version.js';
import { isRecord } from '../../k8s/object.js';
import { cidrHolds, isIpv4Cidr, parseIpv6Cidr } from '../../net/ranges.js';
import { formatVersion, type Version } from '../../k8s/versions.js';
import { shown, type Report } from '../report.js';
import type { RuleContext } from '../target.js';

/** Where the configuration is, for findings: the rule prefix and the field path of the text. */
export interface IpamPlace {
  rule: string;
  path: string;
  /** How messages name it: `calico-config`, `calico-node`. */
  name: string;
  /** The setting that holds the configuration: `cni_network_config`, `CNI_NETWORK_CONFIG`. */
  key: string;
}

/** host-local's two-range form: an IPv4 and an IPv6 address for every pod. */
const DUAL_STACK_RANGES = '[[{"subnet": "usePodCidr"}], [{"subnet": "usePodCidrIPv6"}]]';

function expectedAssign(ctx: RuleContext): { assign_ipv4: string; assign_ipv6: string } {
  return { assign_ipv4: ctx.config.mode === 'ipv6-only' ? 'false' : 'true', assign_ipv6: 'true' };
}

/**
 * A JSON boolean is not "ignored": the flags are `*string` in calico-ipam's config (projectcalico/calico
 * cni-plugin/pkg/types/types.go:84-85), so json.Unmarshal of the whole configuration fails
 * (cni-plugin/pkg/ipamplugin/ipam_plugin.go:131-133) and no pod gets an address (cni-plugin#461).
 */
const BOOLEAN_FLAG = 'calico-ipam cannot read a JSON boolean here: assign_ipv4 and assign_ipv6 are strings in its configuration (cni-plugin/pkg/types/types.go), so it fails to unmarshal the configuration and every pod fails to get an address';

/** [set, range] indices of each `{"subnet": name}` in host-local's `ranges`. */
function rangesWith(value: unknown, subnet: string): [number, number][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((set, i) => (Array.isArray(set) ? set.flatMap((range, j) => (isRecord(range) && range.subnet === subnet ? [[i, j] as [number, number]] : [])) : []));
}

/** Whether host-local takes the node's IPv4 pod CIDR only (`usePodCidr` without `usePodCidrIPv6`), in either form. */
function ipv4PodCidrOnly(section: IpamSection): boolean {
  if (section.value.ranges === undefined) return section.value.subnet === 'usePodCidr';
  return rangesWith(section.value.ranges, 'usePodCidr').length > 0 && rangesWith(section.value.ranges, 'usePodCidrIPv6').length === 0;
}

function mutateHostLocal(template: CniTemplate, section: IpamSection, place: IpamPlace, ctx: RuleContext, report: Report): CniTemplate {
  const at = `${place.path} ${section.label}`;
  const rule = `${place.rule}/host-local-subnet`;
  if (section.value.ranges === undefined) {
    if (ctx.config.mode === 'ipv6-only') {
      report.change({ rule, path: `${at}.subnet`, found: shown('usePodCidr'), expected: shown('usePodCidrIPv6'), fix: "host-local takes the node's IPv6 pod CIDR" });
      return template.withProperty(section.path, 'subnet', 'usePodCidrIPv6');
    }
    // One address per range set (host-local's `ranges`); Calico's CNI plugin replaces usePodCidr and
    // usePodCidrIPv6 inside ranges too (cni-plugin/internal/pkg/utils/utils.go:304-374).
    report.change({ rule, path: `${at}.subnet`, found: shown('usePodCidr'), expected: `"ranges": ${DUAL_STACK_RANGES}`,
      fix: "host-local gives each pod one address per range: the node's IPv4 and its IPv6 pod CIDR" });
    return template.withMemberReplaced(section.path, 'subnet', 'ranges', DUAL_STACK_RANGES);
  }
  if (ctx.config.mode === 'ipv6-only') {
    let edited = template;
    for (const [i, j] of rangesWith(section.value.ranges, 'usePodCidr')) {
      const path: JSONPath = [...section.path, 'ranges', i, j];
      report.change({ rule, path: `${at}.ranges[${i}][${j}].subnet`, found: shown('usePodCidr'), expected: shown('usePodCidrIPv6'), fix: "host-local takes the node's IPv6 pod CIDR" });
      edited = edited.withProperty(path, 'subnet', 'usePodCidrIPv6');
    }
    return edited;
  }
  const ranges = [...(section.value.ranges as unknown[]), [{ subnet: 'usePodCidrIPv6' }]];
  report.change({ rule, path: `${at}.ranges`, found: shown(section.value.ranges), expected: shown(ranges),
    fix: "host-local gives each pod one address per range set: add one for the node's IPv6 pod CIDR" });
  return template.withMemberReplaced(section.path, 'ranges', 'ranges', JSON.stringify(ranges));
}

/** The configuration with its ipam sections set to the IPv6 settings, each change recorded. */
export function mutateIpam(template: CniTemplate, place: IpamPlace, version: Version | undefined, ctx: RuleContext, report: Report): CniTemplate {
  let edited = template;
  for (const section of template.ipamSections()) {
    const at = `${place.path} ${section.label}`;
    if (section.value.type === 'calico-ipam') {
      const wrong = Object.entries(expectedAssign(ctx)).filter(([key, value]) => section.value[key] !== value);
      if (wrong.length > 0) edited = edited.withProperties(section.path, wrong);
      for (const [key, value] of wrong) {
        const current = section.value[key];
        report.change({ rule: `${place.rule}/assign`, path: `${at}.${key}`, found: shown(current), expected: shown(value),
          fix: typeof current === 'boolean' ? BOOLEAN_FLAG : `calico-ipam assigns ${ctx.config.mode === 'ipv6-only' ? 'only IPv6' : 'IPv4 and IPv6'}` });
      }
    } else if (section.value.type === 'host-local' && ipv4PodCidrOnly(section) && version && supports(version, 'usePodCidrIPv6')) {
      edited = mutateHostLocal(edited, section, place, ctx, report);
    }
  }
  return edited;
}

/** host-local handing out IPv4 only: no IPv6 for any pod. */
function validateHostLocal(section: IpamSection, place: IpamPlace, ctx: RuleContext, version: Version | undefined, report: Report): void {
  if (!ipv4PodCidrOnly(section)) return;
  const field = section.value.ranges === undefined ? 'subnet' : 'ranges';
  if (!version) {
    report.warn(`${place.name}: host-local uses usePodCidr; on Calico >= v3.22 usePodCidrIPv6 is the IPv6 setting, but the Calico version is unknown here (set calicoVersion)`);
    return;
  }
  if (!supports(version, 'usePodCidrIPv6') && ctx.config.mode === 'dual-stack') {
    report.problem({ rule: `${place.rule}/host-local-subnet`, path: `${place.path} ${section.label}.${field}`, found: shown(section.value[field]), expected: 'an IPv6 range as well (usePodCidrIPv6)',
      fix: `host-local takes the node's IPv6 pod CIDR (usePodCidrIPv6) from Calico ${formatVersion(CALICO_FEATURES.usePodCidrIPv6)} (running ${describeVersion(version)}); upgrade Calico, or pods get no IPv6 address` });
  }
}

function validatePools(section: IpamSection, place: IpamPlace, ctx: RuleContext, report: Report): void {
  const pools = section.value.ipv6_pools;
  if (pools === undefined) return;
  const path = `${place.path} ${section.label}.ipv6_pools`;
  const rule = `${place.rule}/ipv6-pools`;
  if (!Array.isArray(pools)) {
    report.problem({ rule, path, found: shown(pools), expected: 'a list of IPv6 CIDRs or pool names', fix: `write ipv6_pools as a list, e.g. ["${ctx.config.podCIDR.text}"]` });
    return;
  }
  for (const pool of pools) {
    if (typeof pool !== 'string') continue;
    const parsed = parseIpv6Cidr(pool);
    if (parsed.ok && cidrHolds(ctx.config.podCIDR, parsed.cidr)) continue;
    if (parsed.ok || isIpv4Cidr(pool) || pool.includes('/')) {
      report.problem({ rule, path, found: shown(pool), expected: `an IPv6 CIDR inside podCIDR ${ctx.config.podCIDR.text}`,
        fix: `inconsistent pool: list ${ctx.config.podCIDR.text} (or a pool inside it) in ipv6_pools` });
    } else {
      report.warn(`${place.name}: ipv6_pools names pool "${pool}", which the webhook cannot check against podCIDR ${ctx.config.podCIDR.text}`);
    }
  }
}

/** What mutation cannot fix in the ipam sections. */
export function validateIpam(template: CniTemplate, place: IpamPlace, version: Version | undefined, ctx: RuleContext, report: Report): void {
  const sections = template.ipamSections();
  if (sections.length === 0) report.warn(`${place.name}: ${place.key} has no ipam section; pods get addresses from whatever the CNI defaults to`);
  for (const section of sections) {
    if (section.value.type === 'calico-ipam') validatePools(section, place, ctx, report);
    if (section.value.type === 'host-local') validateHostLocal(section, place, ctx, version, report);
  }
}
