// Keeping a few objects current with list+watch (client-node's ListWatch, the informer behind
// makeInformer), restarted with backoff after errors. Objects are watched one name at a time with a
// metadata.name field selector, so RBAC can grant exactly those names (resourceNames).
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { ApiResource } from '../k8s/resource.js';
import type { KubeObject } from '../k8s/object.js';
import { apiError, withTimeout, type ApiError } from './client.js';
import { plainObject } from './reader.js';
import { ApiClients, NODES, collectionPath, servedApiVersion } from './resources.js';

/**
 * What to keep current: every Node, or the objects of a target resource (one name in one namespace;
 * a cluster-scoped resource has no namespace; no name means every object).
 */
export type WatchTarget =
  | { resource: 'nodes' }
  | { resource: string; api: ApiResource; namespace: string | undefined; name: string | undefined };

export function describeTarget(target: WatchTarget): string {
  if (target.resource === 'nodes' || !('api' in target)) return 'Nodes';
  const where = [target.namespace, target.name ?? '*'].filter((p) => p !== undefined).join('/');
  return `${target.api.kind} ${where}`;
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
  private readonly clients: ApiClients;

  constructor(
    private readonly kc: KubeConfig,
    private readonly listTimeoutMs = 30_000,
  ) {
    this.clients = new ApiClients(kc);
  }

  watch(target: WatchTarget, handlers: WatchHandlers): WatchHandle {
    const options = withTimeout(this.listTimeoutMs);
    const api = 'api' in target ? target.api : NODES;
    const namespace = 'api' in target ? target.namespace : undefined;
    const fieldSelector = 'api' in target && target.name !== undefined ? `metadata.name=${target.name}` : undefined;
    const path = collectionPath(api, namespace);
    const list = () => this.clients.list(api, namespace, fieldSelector, options) as Promise<KubernetesListObject<KubernetesObject>>;

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
      if (!stopped && !listing) handlers.onObjects(informer.list().map((o) => plainObject(o, api.kind, servedApiVersion(api))));
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
