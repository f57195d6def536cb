// The API access the cluster-aware code needs, stated once: what the chart's discovery RBAC must grant
// (no more, no less), and what the e2e test checks by running everything as that ServiceAccount.
import { CALICO_CONFIGMAPS, CALICO_DAEMONSETS } from './discovery.js';
import { KUBEADM_CONFIG, KUBELET_CONFIG, KUBE_PROXY_CONFIG } from './settings.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

/** Cluster-wide: discovery lists and watches Nodes (spec.podCIDRs); doctor lists them (InternalIP). */
export const CLUSTER_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
];

/**
 * In each discovery namespace (kube-system at least). Everything but Pods is limited by name: lists
 * and watches carry a metadata.name field selector, which RBAC matches against resourceNames.
 * - configmaps: discovery lists+watches them all; doctor and audit get them.
 * - daemonsets: discovery lists+watches (Calico version, valueFrom ConfigMaps); doctor and audit get them.
 * - deployments, services (kube-dns): doctor and audit get them.
 * - pods: doctor lists kube-system to find the static control-plane pods (names are per node).
 */
export const NAMESPACE_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], resourceNames: [KUBEADM_CONFIG, KUBE_PROXY_CONFIG, KUBELET_CONFIG, ...CALICO_CONFIGMAPS], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: [...CALICO_DAEMONSETS], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['kube-dns'], verbs: ['get'] },
  { apiGroups: [''], resources: ['services'], resourceNames: ['kube-dns'], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
];

/**
 * Not granted on purpose: `get nodes/proxy` would let doctor read each kubelet's /configz, but it opens
 * the whole kubelet API (exec included). Without it doctor falls back to the kubelet-config ConfigMap.
 */
export const OPTIONAL_RULES: readonly PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] },
];

/** Rules as a set of `group/resource/name:verb` grants, so two rule lists compare by what they allow. */
export function grants(rules: readonly PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const group of r.apiGroups) for (const resource of r.resources) for (const verb of r.verbs) {
      for (const name of r.resourceNames?.length ? r.resourceNames : ['*']) out.add(`${group || 'core'}/${resource}/${name}:${verb}`);
    }
  }
  return [...out].sort();
}
