// Plain cluster objects and an in-memory ClusterReader for the cluster, doctor and audit unit tests.
import { stringify } from 'yaml';
import { ApiError } from '../../../src/cluster/client.js';
import type { ClusterReader, NamespaceScope } from '../../../src/cluster/reader.js';
import type { ApiResource } from '../../../src/k8s/resource.js';
import { groupOf, type KubeObject } from '../../../src/k8s/object.js';

export function configMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export function kubeadmConfig(networking: Record<string, string>): KubeObject {
  return configMap('kube-system', 'kubeadm-config', {
    ClusterConfiguration: stringify({ apiVersion: 'kubeadm.k8s.io/v1beta3', kind: 'ClusterConfiguration', networking: { dnsDomain: 'cluster.local', ...networking } }),
  });
}

export function kubeProxyConfig(conf: Record<string, unknown>, server?: string): KubeObject {
  const data: Record<string, string> = { 'config.conf': stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', ...conf }) };
  if (server) data['kubeconfig.conf'] = stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'default', cluster: { server } }] });
  return configMap('kube-system', 'kube-proxy', data);
}

export function kubeletConfig(conf: Record<string, unknown>): KubeObject {
  return configMap('kube-system', 'kubelet-config', { kubelet: stringify({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', ...conf }) });
}

export function node(name: string, internalIPs: string[], podCIDRs: string[] = []): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    spec: podCIDRs.length ? { podCIDR: podCIDRs[0], podCIDRs } : {},
    status: { addresses: [...internalIPs.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: name }] },
  };
}

export function staticPod(component: string, nodeName: string, flags: string[]): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `${component}-${nodeName}`, namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'x' } },
    spec: { nodeName, containers: [{ name: component, image: `registry.k8s.io/${component}:v1.33.0`, command: [component, ...flags] }] },
  };
}

/** Objects and failures by call; anything not given is absent (404). */
export class FakeReader implements ClusterReader {
  readonly calls: string[] = [];

  constructor(
    private readonly objects: KubeObject[],
    private readonly options: { configz?: Record<string, unknown>; fail?: Record<string, ApiError> } = {},
  ) {}

  private failIf(call: string): void {
    this.calls.push(call);
    const error = this.options.fail?.[call];
    if (error) throw error;
  }

  listPods(namespace: string): Promise<KubeObject[]> {
    this.failIf(`pods ${namespace}`);
    return Promise.resolve(this.objects.filter((o) => o.kind === 'Pod' && o.metadata?.namespace === namespace));
  }

  getConfigMap(namespace: string, name: string): Promise<KubeObject | undefined> {
    this.failIf(`configmap ${namespace}/${name}`);
    return Promise.resolve(this.objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.namespace === namespace && o.metadata?.name === name));
  }

  listNodes(): Promise<KubeObject[]> {
    this.failIf('nodes');
    return Promise.resolve(this.objects.filter((o) => o.kind === 'Node'));
  }

  nodeConfigz(name: string): Promise<unknown> {
    this.failIf(`configz ${name}`);
    const answer = this.options.configz?.[name];
    return answer === undefined ? Promise.reject(new ApiError(503, 'HTTP 503: no endpoints available')) : Promise.resolve(answer);
  }

  findNamed(resource: ApiResource, name: string | undefined, scope: NamespaceScope): Promise<KubeObject[]> {
    this.failIf(`${resource.kind} ${name ?? '(any name)'}`);
    return Promise.resolve(this.objects.filter((o) => o.kind === resource.kind && (o.apiVersion === undefined || groupOf(o) === resource.group) && (name === undefined || o.metadata?.name === name)
      && (!resource.namespaced || scope.all || scope.namespaces.includes(o.metadata?.namespace ?? ''))));
  }
}
