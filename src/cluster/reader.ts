// What doctor and audit read from the cluster, behind an interface so their logic is tested on plain data.
// Reads go by name wherever RBAC allows it, so the ServiceAccount can be limited with resourceNames.
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ApiResource } from '../k8s/resource.js';
import type { KubeObject } from '../k8s/object.js';
import { apiError, withTimeout } from './client.js';
import { ApiClients, servedApiVersion } from './resources.js';

/** Where to look for target objects: every namespace (one list across them), or the named ones (get by name). */
export type NamespaceScope = { all: true } | { all: false; namespaces: string[] };

export interface ClusterReader {
  listPods(namespace: string): Promise<KubeObject[]>;
  /** Undefined when the ConfigMap does not exist. */
  getConfigMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  listNodes(): Promise<KubeObject[]>;
  /** A kubelet's /configz through the API server's node proxy (needs nodes/proxy). */
  nodeConfigz(node: string): Promise<unknown>;
  /** Every object of this resource with this name (every object: name undefined) in the scope; cluster-scoped resources ignore it. */
  findNamed(resource: ApiResource, name: string | undefined, scope: NamespaceScope): Promise<KubeObject[]>;
}

/**
 * The client's typed models as the JSON the rules were written for: list items carry no kind, and
 * timestamps are Date objects. Field names of the models equal the JSON names for everything read here.
 */
export function plainObject(object: object, kind: string, apiVersion = 'v1'): KubeObject {
  const plain = JSON.parse(JSON.stringify(object)) as KubeObject;
  return { apiVersion, kind, ...plain };
}

async function orAbsent<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    const e = apiError(error);
    if (e.code === 404) return undefined;
    throw e;
  }
}

async function rethrown<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw apiError(error);
  }
}

export class KubeClusterReader implements ClusterReader {
  private readonly core: CoreV1Api;
  private readonly clients: ApiClients;
  private readonly options: ReturnType<typeof withTimeout>;
  /** A kubelet that does not answer should not hold doctor for the whole request timeout. */
  private readonly configzOptions: ReturnType<typeof withTimeout>;

  constructor(kc: KubeConfig, timeoutMs = 10_000) {
    this.clients = new ApiClients(kc);
    this.core = this.clients.core;
    this.options = withTimeout(timeoutMs);
    this.configzOptions = withTimeout(Math.min(timeoutMs, 5_000));
  }

  async listPods(namespace: string): Promise<KubeObject[]> {
    const list = await rethrown(this.core.listNamespacedPod({ namespace }, this.options));
    return list.items.map((p) => plainObject(p, 'Pod'));
  }

  async getConfigMap(namespace: string, name: string): Promise<KubeObject | undefined> {
    const cm = await orAbsent(this.core.readNamespacedConfigMap({ namespace, name }, this.options));
    return cm ? plainObject(cm, 'ConfigMap') : undefined;
  }

  async listNodes(): Promise<KubeObject[]> {
    const list = await rethrown(this.core.listNode({}, this.options));
    return list.items.map((n) => plainObject(n, 'Node'));
  }

  async nodeConfigz(node: string): Promise<unknown> {
    return rethrown(this.core.connectGetNodeProxyWithPath({ name: node, path: 'configz' }, this.configzOptions));
  }

  async findNamed(resource: ApiResource, name: string | undefined, scope: NamespaceScope): Promise<KubeObject[]> {
    const plain = (items: object[]) => items.map((o) => plainObject(o, resource.kind, servedApiVersion(resource)));
    if (name !== undefined && (!resource.namespaced || !scope.all)) {
      const found: KubeObject[] = [];
      for (const namespace of resource.namespaced && !scope.all ? scope.namespaces : [undefined]) {
        const object = await orAbsent(this.clients.read(resource, namespace, name, this.options));
        if (object) found.push(...plain([object]));
      }
      return found;
    }
    const fieldSelector = name === undefined ? undefined : `metadata.name=${name}`;
    const namespaces = !resource.namespaced || scope.all ? [undefined] : scope.namespaces;
    const found: KubeObject[] = [];
    // A custom resource whose CRD is not installed (no operator, no v3 API) answers 404: none of it exists.
    for (const namespace of namespaces) found.push(...plain((await orAbsent(this.clients.list(resource, namespace, fieldSelector, this.options)))?.items ?? []));
    return found;
  }
}
