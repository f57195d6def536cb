// The cluster's own statement of its network settings, where kubeadm and the components publish them:
// kubeadm-config (ClusterConfiguration), kube-proxy (KubeProxyConfiguration), kubelet-config or a
// kubelet's /configz (KubeletConfiguration), and Node spec.podCIDRs. Shared by discovery and doctor.
import { dataKey, splitList, yamlMapping, type Parsed } from '../k8s/config-text.js';
import { isRecord } from '../k8s/object.js';
import { KUBE_PROXY_CONFIGMAP } from '../targets/kube-proxy/settings.js';
import type { KubeObject } from '../k8s/object.js';

export const KUBEADM_CONFIG = 'kubeadm-config';
/** kube-proxy's ConfigMap is a target too; its module names it. */
export const KUBE_PROXY_CONFIG = KUBE_PROXY_CONFIGMAP;
export const KUBELET_CONFIG = 'kubelet-config';
/** The ConfigMaps in kube-system that discovery watches for the cluster's settings, and doctor reads. */
export const SETTINGS_CONFIGMAPS: readonly string[] = [KUBEADM_CONFIG, KUBE_PROXY_CONFIG, KUBELET_CONFIG];

export interface KubeadmNetworking {
  podSubnet: string[];
  serviceSubnet: string[];
}

/** kubeadm-config `ClusterConfiguration` `networking`. */
export function kubeadmNetworking(configMap: KubeObject): Parsed<KubeadmNetworking> {
  const text = dataKey(configMap, 'ClusterConfiguration');
  if (text === undefined) return { ok: false, reason: 'has no ClusterConfiguration key', cause: 'absent' };
  const parsed = yamlMapping(text, 'ClusterConfiguration');
  if (!parsed.ok) return parsed;
  const networking = isRecord(parsed.value.networking) ? parsed.value.networking : {};
  return { ok: true, value: { podSubnet: splitList(networking.podSubnet), serviceSubnet: splitList(networking.serviceSubnet) } };
}

export interface KubeletSettings {
  clusterDNS: string[];
  /** As written; undefined when absent (the kubelet then uses 0.0.0.0). */
  address: string | undefined;
}

function kubeletFrom(config: Record<string, unknown>): KubeletSettings {
  return {
    clusterDNS: splitList(config.clusterDNS),
    address: typeof config.address === 'string' && config.address !== '' ? config.address : undefined,
  };
}

/** kubelet-config ConfigMap (kubeadm): key `kubelet` holds a KubeletConfiguration. */
export function kubeletSettingsFromConfigMap(configMap: KubeObject): Parsed<KubeletSettings> {
  const text = dataKey(configMap, 'kubelet');
  if (text === undefined) return { ok: false, reason: 'has no kubelet key', cause: 'absent' };
  const parsed = yamlMapping(text, 'kubelet');
  return parsed.ok ? { ok: true, value: kubeletFrom(parsed.value) } : parsed;
}

/** A kubelet's `/configz` answer: `{"kubeletconfig": {...}}`, the configuration it actually runs with. */
export function kubeletSettingsFromConfigz(body: unknown): Parsed<KubeletSettings> {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { ok: false, reason: '/configz did not answer JSON' };
    }
  }
  if (!isRecord(value) || !isRecord(value.kubeletconfig)) return { ok: false, reason: '/configz has no kubeletconfig object' };
  return { ok: true, value: kubeletFrom(value.kubeletconfig) };
}

/** Node spec.podCIDRs (or the older single spec.podCIDR). */
export function nodePodCidrs(node: KubeObject): string[] {
  const spec = isRecord(node.spec) ? node.spec : {};
  const list = splitList(spec.podCIDRs);
  return list.length > 0 ? list : splitList(spec.podCIDR);
}

export interface NodeAddress {
  type: string;
  address: string;
}

export function nodeAddresses(node: KubeObject): NodeAddress[] {
  const status = isRecord(node.status) ? node.status : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses : [];
  return addresses.filter((a): a is NodeAddress => isRecord(a) && typeof a.type === 'string' && typeof a.address === 'string');
}
