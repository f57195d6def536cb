// What doctor and audit read from the cluster, behind an interface so their logic is tested on plain data.
// Reads go by name wherever RBAC allows it, so the ServiceAccount can be limited with resourceNames.
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../rules/types.js';
import { apiError, withTimeout } from './client.js';

export type TargetKind = 'DaemonSet' | 'Deployment' | 'ConfigMap' | 'Service';

/** Where to look for target objects: every namespace (one list across them), or the named ones (get by name). */
export type NamespaceScope = { all: true } | { all: false; namespaces: string[] };

export interface ClusterReader {
  listPods(namespace: string): Promise<KubeObject[]>;
  /** Undefined when the ConfigMap does not exist. */
  getConfigMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  listNodes(): Promise<KubeObject[]>;
  /** A kubelet's /configz through the API server's node proxy (needs nodes/proxy). */
  nodeConfigz(node: string): Promise<unknown>;
  /** Every object of this kind with this name in the scope. */
  findNamed(kind: TargetKind, name: string, scope: NamespaceScope): Promise<KubeObject[]>;
}

const API_VERSION: Record<TargetKind | 'Pod' | 'Node', string> = {
  DaemonSet: 'apps/v1', Deployment: 'apps/v1', ConfigMap: 'v1', Service: 'v1', Pod: 'v1', Node: 'v1',
};

/**
 * The client's typed models as the JSON the rules were written for: list items carry no kind, and
 * timestamps are Date objects. Field names of the models equal the JSON names for everything read here.
 */
export function plainObject(object: object, kind: keyof typeof API_VERSION): KubeObject {
  const plain = JSON.parse(JSON.stringify(object)) as KubeObject;
  return { apiVersion: API_VERSION[kind], kind, ...plain };
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
  private readonly apps: AppsV1Api;
  private readonly options: ReturnType<typeof withTimeout>;
  /** A kubelet that does not answer should not hold doctor for the whole request timeout. */
  private readonly configzOptions: ReturnType<typeof withTimeout>;

  constructor(kc: KubeConfig, timeoutMs = 10_000) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
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

  async findNamed(kind: TargetKind, name: string, scope: NamespaceScope): Promise<KubeObject[]> {
    if (scope.all) {
      const fieldSelector = `metadata.name=${name}`;
      const items: object[] = (await rethrown<{ items: object[] }>(
        kind === 'DaemonSet' ? this.apps.listDaemonSetForAllNamespaces({ fieldSelector }, this.options)
          : kind === 'Deployment' ? this.apps.listDeploymentForAllNamespaces({ fieldSelector }, this.options)
            : kind === 'ConfigMap' ? this.core.listConfigMapForAllNamespaces({ fieldSelector }, this.options)
              : this.core.listServiceForAllNamespaces({ fieldSelector }, this.options),
      )).items;
      return items.map((o) => plainObject(o, kind));
    }
    const found: KubeObject[] = [];
    for (const namespace of scope.namespaces) {
      const object: object | undefined = await orAbsent<object>(
        kind === 'DaemonSet' ? this.apps.readNamespacedDaemonSet({ namespace, name }, this.options)
          : kind === 'Deployment' ? this.apps.readNamespacedDeployment({ namespace, name }, this.options)
            : kind === 'ConfigMap' ? this.core.readNamespacedConfigMap({ namespace, name }, this.options)
              : this.core.readNamespacedService({ namespace, name }, this.options),
      );
      if (object) found.push(plainObject(object, kind));
    }
    return found;
  }
}
