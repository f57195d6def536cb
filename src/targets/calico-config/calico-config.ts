// calico-config / canal-config ConfigMap (DESIGN 3.2): the CNI template's ipam assigns IPv6, not IPv4.
import { CniTemplate } from '../shared/cni-template.js';
import { mutateIpam, validateIpam, type IpamPlace } from '../shared/cni-ipam.js';
import { CALICO_FEATURES, describeVersion, knownCalicoVersion, supports } from '../shared/calico-version.js';
import { isRecord, type KubeObject } from '../../k8s/object.js';
import { formatVersion } from '../../k8s/versions.js';
import { shown, type Report } from '../report.js';
import { defineTarget, type RuleContext } from '../target.js';

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

function writeTemplate(object: KubeObject, template: CniTemplate): void {
  (object.data as Record<string, unknown>)[KEY] = template.text;
}

const PLACE: IpamPlace = { rule: RULE, path: TEMPLATE_PATH, name: 'calico-config', key: KEY };

function mutate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const template = readTemplate(object, ctx, report);
  if (!template) return;
  const edited = mutateIpam(template, PLACE, knownCalicoVersion(ctx), ctx, report);
  if (edited.text !== template.text) writeTemplate(object, edited);
}

function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const template = readTemplate(object, ctx, report);
  const version = knownCalicoVersion(ctx);
  const backend = isRecord(object.data) ? object.data.calico_backend : undefined;
  if (backend === 'vxlan' && version && !supports(version, 'vxlanIPv6')) {
    report.problem({ rule: `${RULE}/backend`, path: 'data.calico_backend', found: shown(backend), expected: '"bird" (or vxlan on Calico >= v3.23)',
      fix: `IPv6 routing over VXLAN needs Calico >= ${formatVersion(CALICO_FEATURES.vxlanIPv6)} (running ${describeVersion(version)}); use bird or upgrade` });
  }
  if (template) validateIpam(template, PLACE, version, ctx, report);
}

export const calicoConfigTarget = defineTarget({
  id: RULE,
  description: 'calico-config / canal-config ConfigMap: calico-ipam assigns IPv6 (string flags), host-local uses the IPv6 pod CIDR',
  // Watched by discovery: calico-node's env reads calico_backend, veth_mtu, ... from it through valueFrom.
  resources: [{ group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', namespaced: true, names: ['calico-config', 'canal-config'], watch: true }],
  mutate,
  writes: ['data'],
  validate,
  doctor: {
    items: [{ item: 'ipam', title: 'calico-ipam assigns IPv6 and not IPv4 (cni_network_config)', rules: ['calico-config/assign', 'calico-config/host-local-subnet', 'calico-config/ipv6-pools'] }],
  },
});
