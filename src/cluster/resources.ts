// Reading any resource the targets name: the built-in ones through the typed clients, every other
// (custom resources: IPPool, Installation) through CustomObjectsApi, which takes group, version and plural
// (client-node 2 names it resourcePlural for the all-namespaces list).
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { apiVersionOf } from '../k8s/object.js';
import type { ApiResource } from '../k8s/resource.js';
import type { withTimeout } from './client.js';

type Options = ReturnType<typeof withTimeout>;
export interface ObjectList { items: object[]; metadata?: { resourceVersion?: string } }

export const NODES: ApiResource = { group: '', versions: ['v1'], resource: 'nodes', kind: 'Node', namespaced: false };
export const CONFIGMAPS: ApiResource = { group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', namespaced: true };

/** The REST path of a resource's collection: what a watch follows. */
export function collectionPath(resource: ApiResource, namespace: string | undefined): string {
  const version = resource.versions[0] ?? 'v1';
  const base = resource.group ? `/apis/${resource.group}/${version}` : `/api/${version}`;
  return `${base}${namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${resource.resource}`;
}

export class ApiClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** Objects of a resource in one namespace, every namespace (undefined), or cluster-wide. */
  list(resource: ApiResource, namespace: string | undefined, fieldSelector: string | undefined, options: Options): Promise<ObjectList> {
    const typed = TYPED[`${resource.group}/${resource.resource}`];
    if (typed) return typed.list(this, namespace, fieldSelector, options);
    const { group } = resource;
    const version = resource.versions[0] ?? 'v1';
    const plural = resource.resource;
    if (!resource.namespaced) return this.custom.listClusterCustomObject({ group, version, plural, fieldSelector }, options) as Promise<ObjectList>;
    return (namespace === undefined
      ? this.custom.listCustomObjectForAllNamespaces({ group, version, resourcePlural: plural, fieldSelector }, options)
      : this.custom.listNamespacedCustomObject({ group, version, namespace, plural, fieldSelector }, options)) as Promise<ObjectList>;
  }

  /** One object by name (namespace undefined for cluster-scoped resources). */
  read(resource: ApiResource, namespace: string | undefined, name: string, options: Options): Promise<object> {
    const typed = TYPED[`${resource.group}/${resource.resource}`];
    if (typed?.read && namespace !== undefined) return typed.read(this, namespace, name, options);
    const { group } = resource;
    const version = resource.versions[0] ?? 'v1';
    const plural = resource.resource;
    return (namespace === undefined
      ? this.custom.getClusterCustomObject({ group, version, plural, name }, options)
      : this.custom.getNamespacedCustomObject({ group, version, namespace, plural, name }, options)) as Promise<object>;
  }
}

/** The apiVersion to stamp on list items, which the API server sends without one. */
export function servedApiVersion(resource: ApiResource): string {
  return apiVersionOf(resource.group, resource.versions[0] ?? 'v1');
}

interface Typed {
  list(c: ApiClients, namespace: string | undefined, fieldSelector: string | undefined, options: Options): Promise<ObjectList>;
  read?(c: ApiClients, namespace: string, name: string, options: Options): Promise<object>;
}

/** The built-in resources read here; CustomObjectsApi builds /apis/<group>/... paths, which the core group lacks. */
const TYPED: Record<string, Typed> = {
  '/nodes': { list: (c, _namespace, fieldSelector, o) => c.core.listNode({ fieldSelector }, o) },
  '/configmaps': {
    list: (c, namespace, fieldSelector, o) => namespace === undefined ? c.core.listConfigMapForAllNamespaces({ fieldSelector }, o) : c.core.listNamespacedConfigMap({ namespace, fieldSelector }, o),
    read: (c, namespace, name, o) => c.core.readNamespacedConfigMap({ namespace, name }, o),
  },
  '/services': {
    list: (c, namespace, fieldSelector, o) => namespace === undefined ? c.core.listServiceForAllNamespaces({ fieldSelector }, o) : c.core.listNamespacedService({ namespace, fieldSelector }, o),
    read: (c, namespace, name, o) => c.core.readNamespacedService({ namespace, name }, o),
  },
  'apps/daemonsets': {
    list: (c, namespace, fieldSelector, o) => namespace === undefined ? c.apps.listDaemonSetForAllNamespaces({ fieldSelector }, o) : c.apps.listNamespacedDaemonSet({ namespace, fieldSelector }, o),
    read: (c, namespace, name, o) => c.apps.readNamespacedDaemonSet({ namespace, name }, o),
  },
  'apps/deployments': {
    list: (c, namespace, fieldSelector, o) => namespace === undefined ? c.apps.listDeploymentForAllNamespaces({ fieldSelector }, o) : c.apps.listNamespacedDeployment({ namespace, fieldSelector }, o),
    read: (c, namespace, name, o) => c.apps.readNamespacedDeployment({ namespace, name }, o),
  },
};
