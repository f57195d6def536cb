// doctor's items for kube-proxy, judged on the ConfigMap kubeadm writes to kube-system: config.conf
// (KubeProxyConfiguration: bindAddress, clusterCIDR) and kubeconfig.conf (the API server it talks to, the
// guide's --master). The items are the guide's, not the rule's findings: the master is no rule of the webhook.
import { addressKind } from '../../net/address.js';
import { compareCidrList, urlHost } from '../shared/compare.js';
import type { DoctorItem, DoctorSpec, Judgement, RuleContext } from '../target.js';
import { KUBE_SYSTEM, type KubeObject } from '../../k8s/object.js';
import { KUBE_PROXY_CONFIGMAP, bindAddressFits, kubeProxySettings, type KubeProxySettings } from './settings.js';

const SOURCE = `ConfigMap ${KUBE_SYSTEM}/${KUBE_PROXY_CONFIGMAP}`;

const KUBE_PROXY_DOCTOR_ITEMS: readonly DoctorItem[] = [
  { item: 'bind-address', title: 'kube-proxy --bind-address is IPv6 or ::', rules: [] },
  { item: 'master', title: 'kube-proxy --master is IPv6', rules: [] },
  { item: 'cluster-cidr', title: 'kube-proxy --cluster-cidr is the Calico IPv6 pool', rules: [] },
];

/** A config.conf that is absent or unparseable says nothing about kube-proxy: every item is unknown. */
function unjudgeable(object: KubeObject): { evidence: string; fix: string } | undefined {
  const parsed = kubeProxySettings(object);
  return parsed.ok ? undefined : { evidence: `${SOURCE} ${parsed.reason}`, fix: `correct data."config.conf" in ${SOURCE}` };
}

function bindAddress(s: KubeProxySettings, ctx: RuleContext): Judgement {
  const kind = s.bindAddress === undefined ? 'absent' : addressKind(s.bindAddress);
  if (bindAddressFits(s.bindAddress, ctx.config.mode)) {
    const ipv6 = kind === 'ipv6' || kind === 'ipv6-any';
    return { ok: true, evidence: ipv6 ? `bindAddress ${s.bindAddress ?? ''} (IPv6)` : `bindAddress ${s.bindAddress ?? 'not set'} (allowed in dual-stack)`, fix: '' };
  }
  return { ok: false,
    evidence: `bindAddress ${s.bindAddress === undefined ? 'not set (0.0.0.0)' : JSON.stringify(s.bindAddress)}: the guide sets :: so that kube-proxy runs its IPv6 proxier in an IPv6-only cluster`,
    fix: `set bindAddress: "::" in config.conf of ${SOURCE}, then restart kube-proxy (kubectl -n kube-system rollout restart daemonset kube-proxy)` };
}

function master(s: KubeProxySettings, ctx: RuleContext): Judgement {
  if (s.server === undefined) {
    return { ok: 'unknown', evidence: `${SOURCE} has no kubeconfig.conf server${s.kubeconfigPath ? `; clientConnection.kubeconfig is ${s.kubeconfigPath}, a file on the node` : ''}`,
      fix: 'check the server kube-proxy talks to (its --master or kubeconfig) is an IPv6 address' };
  }
  const host = urlHost(s.server);
  const kind = host === undefined ? 'invalid' : addressKind(host);
  if (kind === 'ipv6') return { ok: true, evidence: `kubeconfig.conf server ${s.server} (IPv6)`, fix: '' };
  if (kind === 'ipv4' && ctx.config.mode === 'dual-stack') return { ok: true, evidence: `kubeconfig.conf server ${s.server} (IPv4; allowed in dual-stack)`, fix: '' };
  if (kind === 'name') return { ok: 'unknown', evidence: `kubeconfig.conf server ${s.server} names a host; doctor does not resolve names`, fix: `make sure ${host ?? s.server} resolves to the API server's IPv6 address` };
  return { ok: false, evidence: `kubeconfig.conf server ${s.server} is ${kind === 'ipv4' ? 'an IPv4 address' : 'not a URL'}`,
    fix: `set the server: in kubeconfig.conf of ${SOURCE} to https://[<API server IPv6 address>]:6443` };
}

function clusterCidr(s: KubeProxySettings, ctx: RuleContext): Judgement {
  const { podCIDR, mode } = ctx.config;
  const verdict = compareCidrList(s.clusterCIDR, podCIDR, mode);
  return verdict.ok
    ? { ok: true, evidence: `clusterCIDR ${verdict.detail} (podCIDR)`, fix: '' }
    : { ok: false, evidence: `clusterCIDR ${verdict.reason} (podCIDR)`,
      fix: `set clusterCIDR: "${mode === 'ipv6-only' ? podCIDR.text : `<IPv4 CIDR>,${podCIDR.text}`}" in config.conf of ${SOURCE}, the same as CALICO_IPV6POOL_CIDR` };
}

const JUDGES: Record<string, (s: KubeProxySettings, ctx: RuleContext) => Judgement> = { 'bind-address': bindAddress, master, 'cluster-cidr': clusterCidr };

function judge(object: KubeObject, item: DoctorItem, ctx: RuleContext): Judgement | undefined {
  const parsed = kubeProxySettings(object);
  return parsed.ok ? JUDGES[item.item]?.(parsed.value, ctx) : undefined;
}

export const KUBE_PROXY_DOCTOR: DoctorSpec = {
  items: KUBE_PROXY_DOCTOR_ITEMS,
  settings: { namespace: KUBE_SYSTEM, name: KUBE_PROXY_CONFIGMAP, absent: `no ${SOURCE}: kube-proxy is configured by flags here, or not run (eBPF dataplane)`,
    fix: 'check kube-proxy\'s flags or configuration file where it runs' },
  unjudgeable,
  judge,
};
