// Keeping a few objects current with list+watch (client-node's ListWatch, the informer behind
// makeInformer), restarted with backoff after errors. Objects are watched one name at a time with a
// metadata.name field selector, so RBAC can grant exactly those names (resourceNames).
import { AppsV1Api, CoreV1Api, ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../rules/types.js';
import { apiError, withTimeout, type ApiError } from './client.js';
import { plainObject } from './reader.js';

/** What to keep current: every Node, or one named object in a namespace. */
export type WatchTarget =
  | { resource: 'nodes' }
  | { resource: 'configmaps' | 'daemonsets'; namespace: string; name: string };

export function describeTarget(target: WatchTarget): string {
  if (target.resource === 'nodes') return 'Nodes';
  return `${target.resource === 'configmaps' ? 'ConfigMap' : 'DaemonSet'} ${target.namespace}/${target.name}`;
}

export interface WatchHandlers {
  /** The current objects, after the first list and after every change. */
  onObjects(objects: KubeObject[]): void;
  /** A list or watch failed; the watch is retried after a backoff. */
  onError(error: ApiError): void;
}

export interface WatchHandle {
  stop(): void;
}

export interface WatchSource {
  watch(target: WatchTarget, handlers: WatchHandlers): WatchHandle;
}

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export class KubeWatchSource implements WatchSource {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;

  constructor(
    private readonly kc: KubeConfig,
    private readonly listTimeoutMs = 30_000,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
  }

  watch(target: WatchTarget, handlers: WatchHandlers): WatchHandle {
    const options = withTimeout(this.listTimeoutMs);
    let path: string;
    let kind: 'Node' | 'ConfigMap' | 'DaemonSet';
    let list: () => Promise<KubernetesListObject<KubernetesObject>>;
    let fieldSelector: string | undefined;
    if (target.resource === 'nodes') {
      path = '/api/v1/nodes';
      kind = 'Node';
      list = () => this.core.listNode({}, options);
    } else {
      const { namespace, name } = target;
      fieldSelector = `metadata.name=${name}`;
      const selector = fieldSelector;
      if (target.resource === 'configmaps') {
        path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
        kind = 'ConfigMap';
        list = () => this.core.listNamespacedConfigMap({ namespace, fieldSelector: selector }, options);
      } else {
        path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/daemonsets`;
        kind = 'DaemonSet';
        list = () => this.apps.listNamespacedDaemonSet({ namespace, fieldSelector: selector }, options);
      }
    }

    let stopped = false;
    let listing = false;
    let backoff = MIN_BACKOFF_MS;
    let retry: NodeJS.Timeout | undefined;
    const informer: ListWatch<KubernetesObject> = new ListWatch(path, new Watch(this.kc), async () => {
      const result = await list();
      backoff = MIN_BACKOFF_MS;
      // ListWatch stores the items (one add event each) right after this resolves: report the list once,
      // when they are all in.
      listing = true;
      setImmediate(() => {
        listing = false;
        emit();
      });
      return result;
    }, false, undefined, fieldSelector);
    const emit = () => {
      if (!stopped && !listing) handlers.onObjects(informer.list().map((o) => plainObject(o, kind)));
    };
    informer.on('add', emit);
    informer.on('update', emit);
    informer.on('delete', emit);
    informer.on('error', (error: unknown) => {
      if (stopped) return;
      handlers.onError(apiError(error));
      // ListWatch stops on an error; start it again, from its last resourceVersion when it has one.
      retry = setTimeout(() => {
        if (!stopped) informer.start().catch((e: unknown) => handlers.onError(apiError(e)));
      }, backoff);
      retry.unref();
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    });
    informer.start().catch((e: unknown) => handlers.onError(apiError(e)));
    return {
      stop: () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        void informer.stop();
      },
    };
  }
}
