// kube-proxy ConfigMap (DESIGN 3.5, kubeadm clusters): its cluster CIDR is the pod CIDR, and it binds IPv6.
import type { KubeObject } from '../../k8s/object.js';
import { cidrEquals, parseIpv6Cidr, parseIpv4Cidr } from '../../net/ranges.js';
import { shown, type Report } from '../report.js';
import { defineTarget, type RuleContext } from '../target.js';

import { KUBE_PROXY_DOCTOR } from './doctor.js';
import { CONFIG_KEY, KUBE_PROXY_CONFIGMAP, bindAddressFits, kubeProxySettings } from './settings.js';

const RULE = 'kube-proxy';

/** Checked, not rewritten: kube-proxy's settings describe the cluster, so a mismatch is the operator's call. */
function validate(object: KubeObject, ctx: RuleContext, report: Report): void {
  const parsed = kubeProxySettings(object);
  if (!parsed.ok) {
    if (parsed.cause === 'yaml') report.malform({ rule: `${RULE}/shape`, path: `data.${CONFIG_KEY}`, found: `unparseable YAML (${parsed.reason.replace(`${CONFIG_KEY} is not valid YAML: `, '')})`, expected: 'a KubeProxyConfiguration', fix: 'correct the YAML' });
    return;
  }
  const { clusterCIDR: parts, bindAddress } = parsed.value;
  const pod = ctx.config.podCIDR;
  const v6 = parts.map((p) => parseIpv6Cidr(p)).filter((p) => p.ok);
  const matches = v6.some((p) => p.ok && cidrEquals(p.cidr, pod));
  // Dual-stack: both families, the IPv4 one being ipv4PodCIDR (kube-proxy tells pod traffic from the rest by it).
  const v4 = ctx.config.ipv4PodCIDR;
  const v4Matches = !v4 || parts.some((p) => { const cidr = parseIpv4Cidr(p); return cidr.ok && cidr.cidr.text === v4.text; });
  const shapeOk = ctx.config.mode === 'ipv6-only' ? parts.length === 1 : parts.length === 2 && v4Matches;
  if (!matches || !shapeOk) {
    const wanted = ctx.config.mode === 'ipv6-only' ? pod.text : `${v4?.text ?? '<IPv4 CIDR>'},${pod.text}`;
    report.problem({ rule: `${RULE}/cluster-cidr`, path: `data.${CONFIG_KEY} clusterCIDR`, found: shown(parts.length > 0 ? parts.join(',') : undefined),
      expected: shown(wanted),
      fix: `set clusterCIDR to ${ctx.config.mode === 'ipv6-only' ? wanted : `"${wanted}"`}, the same as kube-controller-manager --cluster-cidr and CALICO_IPV6POOL_CIDR${v4 ? ' (and CALICO_IPV4POOL_CIDR)' : ''}` });
  }
  if (!bindAddressFits(bindAddress, ctx.config.mode) && ctx.config.mode === 'ipv6-only') {
    report.warn(`kube-proxy: bindAddress is ${shown(bindAddress)}; the guide sets it to "::" in an IPv6-only cluster`);
  }
}

export const kubeProxyTarget = defineTarget({
  id: RULE,
  description: 'kube-proxy ConfigMap (config.conf): clusterCIDR equals podCIDR (and ipv4PodCIDR in dual-stack), bindAddress ::',
  resources: [{ group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', namespaced: true, names: [KUBE_PROXY_CONFIGMAP] }],
  // No mutate: kube-proxy's settings describe the cluster, so the mutating webhook is not sent its ConfigMap.
  validate,
  doctor: KUBE_PROXY_DOCTOR,
});
