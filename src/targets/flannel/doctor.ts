// doctor's items for flannel in a Canal install: net-conf.json (canal-config, kube-flannel-cfg) says what
// flanneld carries, and the flannel image must be a release that has IPv6. A failing item is what the
// flannel rules would change or refuse on the stored object; a passing one shows the values read. An
// unparseable net-conf.json and a flannel image without IPv6 (flannel/shape, flannel/version) are not items of
// their own: doctor reports them as the target's "other" findings (src/policy/coverage.ts lists every rule
// an item names and says why the policies leave it out; those two have no line there yet).
//
// Why each item matters, in flanneld (github.com/flannel-io/flannel at cdf76059):
// - enable-ipv6: ParseConfig turns IPv4 on before decoding and leaves IPv6 off (pkg/subnet/config.go:56-59),
//   and the kube subnet manager Canal runs takes a node's IPv6 podCIDR only when EnableIPv6 is set
//   (pkg/subnet/kube/kube.go:505).
// - ipv6-network: that manager refuses a node whose IPv6 podCIDR is not inside IPv6Network ("doesn't contain
//   ... IPv6 PodCIDR", pkg/subnet/kube/kube.go:505-508), so it must be the cluster's IPv6 pod CIDR.
// - backend: a backend other than vxlan, host-gw or wireguard gets IPv6 switched off silently
//   (pkg/subnet/kube/kube.go:512-516); with no Backend flanneld runs udp (pkg/subnet/config.go:47-48).
import { isRecord, type KubeObject } from '../../k8s/object.js';
import { backendType } from '../../flannel/net-conf.js';
import { shown } from '../report.js';
import type { DoctorItem, DoctorSpec, Evidence, Judgement, RuleContext } from '../target.js';

const RULE = 'flannel';
const KEY = 'net-conf.json';
const keyPath = (key: string) => `data.${KEY} ${key}`;

const FLANNEL_DOCTOR_ITEMS: readonly DoctorItem[] = [
  {
    item: 'enable-ipv6', title: 'flannel net-conf.json enables IPv6 ("EnableIPv6": true; "EnableIPv4": false in IPv6-only)', kinds: ['ConfigMap'],
    rules: [`${RULE}/net-conf`], paths: [keyPath('EnableIPv6'), keyPath('EnableIPv4')],
  },
  {
    item: 'ipv6-network', title: 'flannel net-conf.json IPv6Network is the cluster\'s IPv6 pod CIDR (and Network the IPv4 one in dual-stack)', kinds: ['ConfigMap'],
    rules: [`${RULE}/net-conf`], paths: [keyPath('IPv6Network'), keyPath('Network')],
  },
  {
    item: 'backend', title: 'flannel net-conf.json Backend carries IPv6 (vxlan, host-gw or wireguard)', kinds: ['ConfigMap'],
    rules: [`${RULE}/net-conf`], paths: [keyPath('Backend.Type')],
  },
];

const netConfText = (object: KubeObject): unknown => (isRecord(object.data) ? object.data[KEY] : undefined);

/** net-conf.json as flanneld decodes it; undefined when absent or unparseable (the rules report that). */
function netConf(object: KubeObject): Record<string, unknown> | undefined {
  const text = netConfText(object);
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A flannel ConfigMap without net-conf.json says nothing about flannel's network: its items are unknown. */
function unjudgeable(object: KubeObject): { evidence: string; fix: string } | undefined {
  if (object.kind !== 'ConfigMap' || netConfText(object) !== undefined) return undefined;
  return { evidence: `ConfigMap ${object.metadata?.name ?? '?'} has no ${KEY}: flanneld reads its network from that key`,
    fix: `add ${KEY} (Canal's manifest ships one), or check which ConfigMap the flannel container mounts` };
}

function networkEvidence(conf: Record<string, unknown>, ctx: RuleContext): string {
  const v6 = `IPv6Network ${shown(conf.IPv6Network)} (podCIDR ${ctx.config.podCIDR.text})`;
  return ctx.config.mode === 'dual-stack' && ctx.config.ipv4PodCIDR ? `${v6}, Network ${shown(conf.Network)} (ipv4PodCIDR ${ctx.config.ipv4PodCIDR.text})` : v6;
}

function evidence(object: KubeObject, item: DoctorItem, ctx: RuleContext): Evidence | undefined {
  const conf = netConf(object);
  if (!conf) return undefined;
  const text = item.item === 'enable-ipv6' ? `EnableIPv6 ${shown(conf.EnableIPv6)}, EnableIPv4 ${shown(conf.EnableIPv4)}`
    : item.item === 'ipv6-network' ? networkEvidence(conf, ctx)
      : `Backend.Type ${backendType(conf)}`;
  return { text, unreadable: [] };
}

/** net-conf.json that flanneld cannot decode fails every item: flanneld does not start (ParseConfig, pkg/subnet/config.go:56-63). */
function judge(object: KubeObject): Judgement | undefined {
  if (netConf(object) !== undefined) return undefined;
  return { ok: false, evidence: `${KEY} is not a JSON object flanneld can decode, so flanneld does not start (see the flannel/shape finding)`, fix: `correct ${KEY}` };
}

/** Only where flannel is installed (Canal, or flannel itself): a Calico-only cluster has none of these objects. */
export const FLANNEL_DOCTOR: DoctorSpec = { items: FLANNEL_DOCTOR_ITEMS, whenPresent: true, unjudgeable, evidence, judge };
