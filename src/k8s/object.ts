// The shared object model: any Kubernetes object as JSON, and the small guards every floor reads it with.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion?: string; kind?: string; name?: string }[];
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON; readers narrow what they read and never trust the shape. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** Where kubeadm and the components publish the cluster's settings (kubeadm-config, kube-proxy, kubelet-config). */
export const KUBE_SYSTEM = 'kube-system';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** A JSON object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function nameOf(object: KubeObject): string | undefined {
  const name = object.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

export function namespaceOf(object: KubeObject): string | undefined {
  const namespace = object.metadata?.namespace;
  return typeof namespace === 'string' ? namespace : undefined;
}

/** `DaemonSet kube-system/calico-node`: how messages name an object. */
export function describeObject(object: KubeObject): string {
  const namespace = namespaceOf(object);
  const name = nameOf(object) ?? '(unnamed)';
  return `${object.kind ?? 'object'} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** The API group of an object's apiVersion: `apps` for `apps/v1`, '' for `v1`; undefined without one. */
export function groupOf(object: KubeObject): string | undefined {
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') return undefined;
  const slash = object.apiVersion.indexOf('/');
  return slash < 0 ? '' : object.apiVersion.slice(0, slash);
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** A ConfigMap's data keys that hold strings: the ones the kubelet puts in a container's env. */
export function stringData(configMap: KubeObject): Record<string, string> {
  const data = isRecord(configMap.data) ? configMap.data : {};
  return Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
