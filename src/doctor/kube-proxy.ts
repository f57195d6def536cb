// kube-proxy's guide settings, from the kube-proxy ConfigMap kubeadm writes: config.conf
// (KubeProxyConfiguration) and kubeconfig.conf (the API server it talks to).
import type { WebhookConfig } from '../config/types.js';
import { addressKind } from '../net/address.js';
import { compareCidrList, urlHost } from '../cluster/compare.js';
import { KUBE_PROXY_CONFIG } from '../cluster/settings.js';
import { kubeProxySettings } from '../targets/kube-proxy/settings.js';
import type { KubeObject } from '../k8s/object.js';
import { bindAddressFits } from '../targets/kube-proxy/kube-proxy.js';
import { fail, pass, unknown, type Check } from './check.js';
import type { Fetched } from './snapshot.js';

const TITLES = {
  'bind-address': 'kube-proxy --bind-address is IPv6 or ::',
  master: 'kube-proxy --master is IPv6',
  'cluster-cidr': 'kube-proxy --cluster-cidr is the Calico IPv6 pool',
} as const;

const SOURCE = `ConfigMap kube-system/${KUBE_PROXY_CONFIG}`;
const id = (item: keyof typeof TITLES) => `kube-proxy.${item}/${KUBE_PROXY_CONFIG}`;

export function kubeProxyChecks(configMap: Fetched<KubeObject | undefined>, config: WebhookConfig): Check[] {
  const items = Object.keys(TITLES) as (keyof typeof TITLES)[];
  if (!configMap.ok || !configMap.value) {
    const evidence = !configMap.ok ? `cannot read ${SOURCE}: ${configMap.error}` : `no ${SOURCE}: kube-proxy is configured by flags here, or not run (eBPF dataplane)`;
    return items.map((item) => unknown(id(item), TITLES[item], evidence, 'check kube-proxy\'s flags or configuration file where it runs'));
  }
  const parsed = kubeProxySettings(configMap.value);
  if (!parsed.ok) return items.map((item) => unknown(id(item), TITLES[item], `${SOURCE} ${parsed.reason}`, `correct data."config.conf" in ${SOURCE}`));
  const s = parsed.value;
  const out: Check[] = [];

  const bindFix = `set bindAddress: "::" in config.conf of ${SOURCE}, then restart kube-proxy (kubectl -n kube-system rollout restart daemonset kube-proxy)`;
  const bindKind = s.bindAddress === undefined ? 'absent' : addressKind(s.bindAddress);
  if (bindAddressFits(s.bindAddress, config.mode)) {
    const ipv6 = bindKind === 'ipv6' || bindKind === 'ipv6-any';
    out.push(pass(id('bind-address'), TITLES['bind-address'], ipv6 ? `bindAddress ${s.bindAddress ?? ''} (IPv6)` : `bindAddress ${s.bindAddress ?? 'not set'} (allowed in dual-stack)`));
  } else {
    out.push(fail(id('bind-address'), TITLES['bind-address'],
      `bindAddress ${s.bindAddress === undefined ? 'not set (0.0.0.0)' : JSON.stringify(s.bindAddress)}: the guide sets :: so that kube-proxy runs its IPv6 proxier in an IPv6-only cluster`, bindFix));
  }

  if (s.server !== undefined) {
    const host = urlHost(s.server);
    const kind = host === undefined ? 'invalid' : addressKind(host);
    const fix = `set the server: in kubeconfig.conf of ${SOURCE} to https://[<API server IPv6 address>]:6443`;
    if (kind === 'ipv6') out.push(pass(id('master'), TITLES.master, `kubeconfig.conf server ${s.server} (IPv6)`));
    else if (kind === 'ipv4' && config.mode === 'dual-stack') out.push(pass(id('master'), TITLES.master, `kubeconfig.conf server ${s.server} (IPv4; allowed in dual-stack)`));
    else if (kind === 'name') out.push(unknown(id('master'), TITLES.master, `kubeconfig.conf server ${s.server} names a host; doctor does not resolve names`, `make sure ${host ?? s.server} resolves to the API server's IPv6 address`));
    else out.push(fail(id('master'), TITLES.master, `kubeconfig.conf server ${s.server} is ${kind === 'ipv4' ? 'an IPv4 address' : 'not a URL'}`, fix));
  } else {
    out.push(unknown(id('master'), TITLES.master, `${SOURCE} has no kubeconfig.conf server${s.kubeconfigPath ? `; clientConnection.kubeconfig is ${s.kubeconfigPath}, a file on the node` : ''}`,
      'check the server kube-proxy talks to (its --master or kubeconfig) is an IPv6 address'));
  }

  const verdict = compareCidrList(s.clusterCIDR, config.podCIDR, config.mode);
  out.push(verdict.ok
    ? pass(id('cluster-cidr'), TITLES['cluster-cidr'], `clusterCIDR ${verdict.detail} (podCIDR)`)
    : fail(id('cluster-cidr'), TITLES['cluster-cidr'], `clusterCIDR ${verdict.reason} (podCIDR)`,
      `set clusterCIDR: "${config.mode === 'ipv6-only' ? config.podCIDR.text : `<IPv4 CIDR>,${config.podCIDR.text}`}" in config.conf of ${SOURCE}, the same as CALICO_IPV6POOL_CIDR`));
  return out;
}
