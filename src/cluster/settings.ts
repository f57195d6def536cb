// The cluster's own statement of its network settings, where kubeadm and the components publish them:
// kubeadm-config (ClusterConfiguration), kube-proxy (KubeProxyConfiguration), kubelet-config or a
// kubelet's /configz (KubeletConfiguration), and Node spec.podCIDRs. Shared by discovery and doctor.
import { parse as parseYaml } from 'yaml';
import { isRecord } from '../k8s/object.js';
import { KUBE_PROXY_CONFIGMAP } from '../targets/kube-proxy/kube-proxy.js';
import type { KubeObject } from '../k8s/object.js';

export const KUBE_SYSTEM = 'kube-system';
export const KUBEADM_CONFIG = 'kubeadm-config';
/** kube-proxy's ConfigMap is a target too; its module names it. */
export const KUBE_PROXY_CONFIG = KUBE_PROXY_CONFIGMAP;
export const KUBELET_CONFIG = 'kubelet-config';

/** A setting read from the cluster, with where it was read, for messages. */
export interface Sourced<T> {
  value: T;
  source: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function dataKey(object: KubeObject, key: string): string | undefined {
  const value = isRecord(object.data) ? object.data[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function yamlMapping(text: string, what: string): Parsed<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    return { ok: false, reason: `${what} is not valid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  return isRecord(parsed) ? { ok: true, value: parsed } : { ok: false, reason: `${what} is not a mapping` };
}

/** Comma-separated lists (`10.244.0.0/16,fd20::/112`) as kubeadm and the components write them. */
export function splitList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter(Boolean);
  return typeof value === 'string' ? value.split(',').map((p) => p.trim()).filter(Boolean) : [];
}

export interface KubeadmNetworking {
  podSubnet: string[];
  serviceSubnet: string[];
}

/** kubeadm-config `ClusterConfiguration` `networking`. */
export function kubeadmNetworking(configMap: KubeObject): Parsed<KubeadmNetworking> {
  const text = dataKey(configMap, 'ClusterConfiguration');
  if (text === undefined) return { ok: false, reason: 'has no ClusterConfiguration key' };
  const parsed = yamlMapping(text, 'ClusterConfiguration');
  if (!parsed.ok) return parsed;
  const networking = isRecord(parsed.value.networking) ? parsed.value.networking : {};
  return { ok: true, value: { podSubnet: splitList(networking.podSubnet), serviceSubnet: splitList(networking.serviceSubnet) } };
}

export interface KubeProxySettings {
  clusterCIDR: string[];
  /** As written; undefined when absent (kube-proxy then uses 0.0.0.0). */
  bindAddress: string | undefined;
  /** The API server URL from the ConfigMap's kubeconfig.conf, when kubeadm wrote one. */
  server: string | undefined;
  /** clientConnection.kubeconfig: a path on the node, when the server is not in the ConfigMap. */
  kubeconfigPath: string | undefined;
}

/** kube-proxy ConfigMap: `config.conf` (KubeProxyConfiguration) and `kubeconfig.conf`. */
export function kubeProxySettings(configMap: KubeObject): Parsed<KubeProxySettings> {
  const text = dataKey(configMap, 'config.conf');
  if (text === undefined) return { ok: false, reason: 'has no config.conf key' };
  const parsed = yamlMapping(text, 'config.conf');
  if (!parsed.ok) return parsed;
  const config = parsed.value;
  const clientConnection = isRecord(config.clientConnection) ? config.clientConnection : {};
  let server: string | undefined;
  const kubeconfigText = dataKey(configMap, 'kubeconfig.conf');
  if (kubeconfigText !== undefined) {
    const kubeconfig = yamlMapping(kubeconfigText, 'kubeconfig.conf');
    const clusters = kubeconfig.ok && Array.isArray(kubeconfig.value.clusters) ? kubeconfig.value.clusters : [];
    const first: unknown = clusters[0];
    const cluster = isRecord(first) && isRecord(first.cluster) ? first.cluster : undefined;
    if (cluster && typeof cluster.server === 'string') server = cluster.server;
  }
  return {
    ok: true,
    value: {
      clusterCIDR: splitList(config.clusterCIDR),
      bindAddress: typeof config.bindAddress === 'string' && config.bindAddress !== '' ? config.bindAddress : undefined,
      server,
      kubeconfigPath: typeof clientConnection.kubeconfig === 'string' && clientConnection.kubeconfig !== '' ? clientConnection.kubeconfig : undefined,
    },
  };
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
  if (text === undefined) return { ok: false, reason: 'has no kubelet key' };
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
