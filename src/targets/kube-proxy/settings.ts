// kube-proxy's ConfigMap as kubeadm writes it, parsed once for the rule, discovery and doctor: config.conf
// (KubeProxyConfiguration) and the API server of kubeconfig.conf.
import { dataKey, splitList, yamlMapping, type Parsed } from '../../k8s/config-text.js';
import type { Mode } from '../../config/types.js';
import { isRecord, type KubeObject } from '../../k8s/object.js';
import { addressKind } from '../../net/address.js';

/** The ConfigMap kubeadm writes kube-proxy's configuration to (kube-system). */
export const KUBE_PROXY_CONFIGMAP = 'kube-proxy';
export const CONFIG_KEY = 'config.conf';

export interface KubeProxySettings {
  clusterCIDR: string[];
  /** As written; undefined when absent (kube-proxy then uses 0.0.0.0). */
  bindAddress: string | undefined;
  /** The API server URL from the ConfigMap's kubeconfig.conf, when kubeadm wrote one. */
  server: string | undefined;
  /** clientConnection.kubeconfig: a path on the node, when the server is not in the ConfigMap. */
  kubeconfigPath: string | undefined;
}

function serverOf(kubeconfigText: string | undefined): string | undefined {
  if (kubeconfigText === undefined) return undefined;
  const kubeconfig = yamlMapping(kubeconfigText, 'kubeconfig.conf');
  const clusters = kubeconfig.ok && Array.isArray(kubeconfig.value.clusters) ? kubeconfig.value.clusters : [];
  const first: unknown = clusters[0];
  const cluster = isRecord(first) && isRecord(first.cluster) ? first.cluster : undefined;
  return cluster && typeof cluster.server === 'string' ? cluster.server : undefined;
}

/** kube-proxy ConfigMap: `config.conf` (KubeProxyConfiguration) and `kubeconfig.conf`. */
export function kubeProxySettings(configMap: KubeObject): Parsed<KubeProxySettings> {
  const text = dataKey(configMap, CONFIG_KEY);
  if (text === undefined) return { ok: false, reason: `has no ${CONFIG_KEY} key`, cause: 'absent' };
  const parsed = yamlMapping(text, CONFIG_KEY);
  if (!parsed.ok) return parsed;
  const config = parsed.value;
  const clientConnection = isRecord(config.clientConnection) ? config.clientConnection : {};
  return {
    ok: true,
    value: {
      // A string in KubeProxyConfiguration (k8s.io/kube-proxy config/v1alpha1 ClusterCIDR): a list is not read.
      clusterCIDR: splitList(typeof config.clusterCIDR === 'string' ? config.clusterCIDR : undefined),
      bindAddress: typeof config.bindAddress === 'string' && config.bindAddress !== '' ? config.bindAddress : undefined,
      server: serverOf(dataKey(configMap, 'kubeconfig.conf')),
      kubeconfigPath: typeof clientConnection.kubeconfig === 'string' && clientConnection.kubeconfig !== '' ? clientConnection.kubeconfig : undefined,
    },
  };
}

/**
 * kube-proxy's bindAddress, judged here once for the rule, discovery and doctor. kube-proxy takes a
 * specific bindAddress as its primary IP, and so its IP family; `::` and `0.0.0.0` leave that to the
 * Node's addresses (kubernetes cmd/kube-proxy/app/server.go, detectNodeIPs). An IPv6-only cluster
 * needs an IPv6 address or `::` (the guide's value); dual-stack takes any address. Absent means 0.0.0.0.
 */
export function bindAddressFits(bindAddress: string | undefined, mode: Mode): boolean {
  const kind = bindAddress === undefined || bindAddress === '' ? 'ipv4-any' : addressKind(bindAddress);
  if (kind === 'ipv6' || kind === 'ipv6-any') return true;
  return mode === 'dual-stack' && (kind === 'ipv4' || kind === 'ipv4-any');
}
