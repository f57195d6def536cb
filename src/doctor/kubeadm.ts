// kubeadm's ClusterConfiguration: `kubeadm upgrade` regenerates the control-plane flags from it, so its
// networking must say what the flags say, or an upgrade undoes the IPv6 settings.
import type { WebhookConfig } from '../config/types.js';
import { compareCidrList } from '../targets/shared/compare.js';
import { KUBEADM_CONFIG, kubeadmNetworking } from '../cluster/settings.js';
import type { KubeObject } from '../k8s/object.js';
import { fail, pass, unknown, type Check } from './check.js';
import type { Fetched } from './snapshot.js';

const SOURCE = `ConfigMap kube-system/${KUBEADM_CONFIG}`;

export function kubeadmChecks(configMap: Fetched<KubeObject | undefined>, config: WebhookConfig): Check[] {
  const items = [
    { item: 'pod-subnet', key: 'podSubnet', title: 'kubeadm networking.podSubnet is the Calico IPv6 pool', expected: config.podCIDR, configKey: 'podCIDR' },
    { item: 'service-subnet', key: 'serviceSubnet', title: 'kubeadm networking.serviceSubnet is the IPv6 service CIDR', expected: config.serviceCIDR, configKey: 'serviceCIDR' },
  ] as const;
  if (!configMap.ok || !configMap.value) {
    const evidence = !configMap.ok ? `cannot read ${SOURCE}: ${configMap.error}` : `no ${SOURCE}: not a kubeadm cluster`;
    return items.map((i) => unknown(`kubeadm.${i.item}`, i.title, evidence, 'nothing to do unless the cluster is managed by kubeadm'));
  }
  const parsed = kubeadmNetworking(configMap.value);
  return items.map((i) => {
    const id = `kubeadm.${i.item}`;
    if (!parsed.ok) return unknown(id, i.title, `${SOURCE} ${parsed.reason}`, `correct ClusterConfiguration in ${SOURCE}`);
    const list = parsed.value[i.key];
    const verdict = compareCidrList(list, i.expected, config.mode);
    return verdict.ok
      ? pass(id, i.title, `networking.${i.key} ${verdict.detail} (${i.configKey})`)
      : fail(id, i.title, `networking.${i.key} ${verdict.reason} (${i.configKey})`,
        `set networking.${i.key}: "${config.mode === 'ipv6-only' ? i.expected.text : `<IPv4 CIDR>,${i.expected.text}`}" in ClusterConfiguration of ${SOURCE}, or kubeadm upgrade regenerates the flags from the old value`);
  });
}
