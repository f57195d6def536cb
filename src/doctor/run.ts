// `doctor` on a cluster: every item of the guide's Kubernetes section, in the guide's order.
import type { WebhookConfig } from '../config/types.js';
import type { Check } from './check.js';
import { controlPlaneChecks } from './control-plane.js';
import { kubeadmChecks } from './kubeadm.js';
import { kubeletChecks, nodeIpChecks } from './kubelet.js';
import { kubeProxyChecks } from './kube-proxy.js';
import type { ClusterSnapshot } from './snapshot.js';
import { workloadChecks } from './workloads.js';

/** The guide's items (DESIGN section 7) as check ids without subject; every one gets a verdict. */
export function guideItems(mode: WebhookConfig['mode']): string[] {
  return [
    'kube-apiserver.bind-address', 'kube-apiserver.advertise-address', 'kube-apiserver.service-cluster-ip-range',
    'kube-controller-manager.master', 'kube-controller-manager.cluster-cidr', 'kube-controller-manager.node-cidr-mask-size',
    'kube-scheduler.master',
    'kubelet.address', 'kubelet.cluster-dns', 'kubelet.node-ip',
    'kube-proxy.bind-address', 'kube-proxy.master', 'kube-proxy.cluster-cidr',
    'calico-config.ipam',
    'calico-node.ipv6-pool', 'calico-node.ip6', 'calico-node.felix-ipv6',
    ...(mode === 'ipv6-only' ? ['calico-node.ip-none', 'calico-node.router-id'] : ['calico-node.ip']),
    'kube-dns.image-version', 'kube-dns-service.cluster-ip', 'kube-dns.bind-address', 'kube-dns.no-negcache', 'kube-dns.probe-type',
  ];
}

export function runClusterChecks(snapshot: ClusterSnapshot, config: WebhookConfig): Check[] {
  return [
    ...controlPlaneChecks(snapshot.pods, config),
    ...kubeletChecks(snapshot, config),
    ...nodeIpChecks(snapshot.nodes, config),
    ...kubeProxyChecks(snapshot.kubeProxy, config),
    ...kubeadmChecks(snapshot.kubeadmConfig, config),
    ...workloadChecks(snapshot, config),
  ];
}
