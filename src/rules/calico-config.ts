// calico-config / canal-config ConfigMap (DESIGN 3.2): the CNI template's ipam assigns IPv6, not IPv4.
import { CniTemplate, type IpamSection } from './cni-template.js';
import { CALICO_FEATURES, describeVersion, knownCalicoVersion, supports } from './calico-version.js';
import { isRecord, type KubeObject } from '../k8s/object.js';
import { cidrContains, isIpv4Cidr, parseIpv6Cidr } from '../net/cidr.js';
import { formatVersion, type Version } from '../k8s/versions.js';
import { shown, type Report } from './report.js';
import { defineTarget, type RuleContext } from './target.js';

const RULE = 'calico-config';
const KEY = 'cni_network_config';
const TEMPLATE_PATH = `data.${KEY}`;

/** The template, or undefined when the object has none (nothing to do) or it is unusable (reported). */
function readTemplate(object: KubeObject, ctx: RuleContext, report: Report): CniTemplate | undefined {
  const data = object.data;
  if (data === undefined) return undefined;
  if (!isRecord(data)) {
    report.malform({ rule: `${RULE}/shape`, path: 'data', found: typeof data, expected: 'a mapping of keys to strings', fix: 'write data as a mapping' });
    return undefined;
  }
  const text = data[KEY];
  if (text === undefined) return undefined;
  if (typeof text !== 'string') {
    report.malform({ rule: `${RULE}/shape`, path: TEMPLATE_PATH, found: typeof text, expected: 'a string holding the CNI JSON template', fix: 'write the template as a block string (cni_network_config: |-)' });
    return undefined;
  }
  const parsed = CniTemplate.parse(text, ctx.memo);
  if (!parsed.ok) {
    const { line, column } = parsed.position;
    report.malform({
      rule: `${RULE}/template`, path: TEMPLATE_PATH, found: `unparseable JSON at line ${line}, column ${column} (${parsed.reason})`,
      expected: 'a JSON CNI configuration (placeholders such as __CNI_MTU__ allowed)', fix: `correct the template at line ${line}, column ${column}`,
    });
    return undefined;
  }
  return parsed.template;
}

function expectedAssign(ctx: RuleContext): { assign_ipv4: string; assign_ipv6: string } {
  return { assign_ipv4: ctx.config.mode === 'ipv6-only' ? 'false' : 'true', assign_ipv6: 'true' };
}

function writeTemplate(object: KubeObject, template: CniTemplate): void {
  (object.data as Record<string, unknown>)[KEY] = template.text;
}

function mutate(object: KubeObject, ctx: RuleContext, report: Report): void {
  let template = readTemplate(object, ctx, report);
  if (!template) return;
  const original = template.text;
  const version = knownCalicoVersion(ctx);
  for (const section of template.ipamSections()) {
    const at = `${TEMPLATE_PATH} ${section.label}`;
    if (section.value.type === 'calico-ipam') {
      // The CNI plugin compares these as strings; a JSON boolean is silently ignored (cni-plugin#461).
      const wrong = Object.entries(expectedAssign(ctx)).filter(([key, value]) => section.value[key] !== value);
      if (wrong.length > 0) template = template.withProperties(section.path, wrong);
      for (const [key, value] of wrong) {
        const current = section.value[key];
        report.change({ rule: `${RULE}/assign`, path: `${at}.${key}`, found: shown(current), expected: shown(value),
          fix: typeof current === 'boolean' ? 'calico-ipam reads these flags as strings; a JSON boolean is ignored' : `calico-ipam assigns ${ctx.config.mode === 'ipv6-only' ? 'only IPv6' : 'IPv4 and IPv6'}` });
      }
    } else if (section.value.type === 'host-local' && section.value.subnet === 'usePodCidr' && version && supports(version, 'usePodCidrIPv6')) {
      if (ctx.config.mode === 'ipv6-only') {
        template = template.withProperty(section.path, 'subnet', 'usePodCidrIPv6');
        report.change({ rule: `${RULE}/host-local-subnet`, path: `${at}.subnet`, found: shown('usePodCidr'), expected: shown('usePodCidrIPv6'),
          fix: "host-local takes the node's IPv6 pod CIDR" });
      } else if (section.value.ranges === undefined) {
        // One address per range set (host-local's `ranges`); Calico's CNI plugin replaces usePodCidr and
        // usePodCidrIPv6 inside ranges too (cni-plugin/internal/pkg/utils/utils.go:304-374).
        template = template.withMemberReplaced(section.path, 'subnet', 'ranges', DUAL_STACK_RANGES);
        report.change({ rule: `${RULE}/host-local-subnet`, path: `${at}.subnet`, found: shown('usePodCidr'), expected: `"ranges": ${DUAL_STACK_RANGES}`,
          fix: "host-local gives each pod one address per range: the node's IPv4 and its IPv6 pod CIDR" });
      }
    }
  }
  if (template.text !== original) writeTemplate(object, template);
}

/** host-local's two-range form: an IPv4 and an IPv6 address for every pod. */
const DUAL_STACK_RANGES = '[[{"subnet": "usePodCidr"}], [{"subnet": "usePodCidrIPv6"}]]';

/** host-local handing out IPv4 only: no IPv6 for any pod. */
function validateHostLocal(section: IpamSection, ctx: RuleContext, version: Version | undefined, report: Report): void {
  const path = `${TEMPLATE_PATH} ${section.label}`;
  if (section.value.subnet !== 'usePodCidr' || section.value.ranges !== undefined) return;
  if (!version) {
    report.warn(`calico-config: host-local uses usePodCidr; on Calico >= v3.22 usePodCidrIPv6 is the IPv6 setting, but the Calico version is unknown here (set calicoVersion)`);
    return;
  }
  if (!supports(version, 'usePodCidrIPv6') && ctx.config.mode === 'dual-stack') {
    report.problem({ rule: `${RULE}/host-local-subnet`, path: `${path}.subnet`, found: shown('usePodCidr'), expected: 'an IPv6 range as well (usePodCidrIPv6)',
      fix: `host-local takes the node's IPv6 pod CIDR (usePodCidrIPv6) from Calico ${formatVersion(CALICO_FEATURES.usePodCidrIPv6)} (running ${describeVersion(version)}); upgrade Calico, or pods get no IPv6 address` });
  }
}

function validatePools(section: IpamSection, ctx: RuleContext, report: Report): void {
  const pools = section.value.ipv6_pools;
  if (pools === undefined) return;
  const path = `${TEMPLATE_PATH} ${section.label}.ipv6_pools`;
  if (!Array.isArray(pools)) {
    report.problem({ rule: `${RULE}/ipv6-pools`, path, found: shown(pools), expected: 'a list of IPv6 CIDRs or pool names', fix: `write ipv6_pools as a list, e.g. ["${ctx.config.podCIDR.text}"]` });
    return;
  }
  for (const pool of pools) {
    if (typeof pool !== 'string') continue;
    const parsed = parseIpv6Cidr(pool);
    if (parsed.ok && cidrContains(ctx.config.podCIDR, parsed.cidr)) continue;
    if (parsed.ok || isIpv4Cidr(pool) || pool.includes('/')) {
      report.problem({ rule: `${RULE}/ipv6-pools`, path, found: shown(pool), expected: `an IPv6 CIDR inside podCIDR ${ctx.config.podCIDR.text}`,
        fix: `inconsistent pool: list ${ctx.config.podCIDR.text} (or a pool inside it) in ipv6_pools` });
    } else {
      report.warn(`calico-config: ipv6_pools names pool "${pool}", which the webhook cannot check against podCIDR ${ctx.config.podCIDR.text}`);
    }
  }
}

function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const template = readTemplate(object, ctx, report);
  const version = knownCalicoVersion(ctx);
  const backend = isRecord(object.data) ? object.data.calico_backend : undefined;
  if (backend === 'vxlan' && version && !supports(version, 'vxlanIPv6')) {
    report.problem({ rule: `${RULE}/backend`, path: 'data.calico_backend', found: shown(backend), expected: '"bird" (or vxlan on Calico >= v3.23)',
      fix: `IPv6 routing over VXLAN needs Calico >= ${formatVersion(CALICO_FEATURES.vxlanIPv6)} (running ${describeVersion(version)}); use bird or upgrade` });
  }
  if (!template) return;
  const sections = template.ipamSections();
  if (sections.length === 0) report.warn(`calico-config: ${KEY} has no ipam section; pods get addresses from whatever the CNI defaults to`);
  for (const section of sections) {
    if (section.value.type === 'calico-ipam') validatePools(section, ctx, report);
    if (section.value.type === 'host-local') validateHostLocal(section, ctx, version, report);
  }
}

export const calicoConfigTarget = defineTarget({
  id: RULE,
  description: 'calico-config / canal-config ConfigMap: calico-ipam assigns IPv6 (string flags), host-local uses the IPv6 pod CIDR',
  // Watched by discovery: calico-node's env reads calico_backend, veth_mtu, ... from it through valueFrom.
  resources: [{ group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', namespaced: true, names: ['calico-config', 'canal-config'], watch: true }],
  mutate,
  validate,
  doctor: {
    items: [{ item: 'ipam', title: 'calico-ipam assigns IPv6 and not IPv4 (cni_network_config)', rules: ['calico-config/assign', 'calico-config/host-local-subnet', 'calico-config/ipv6-pools'] }],
  },
});
