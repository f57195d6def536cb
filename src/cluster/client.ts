// API access: the kubeconfig as kubectl finds it (or --kubeconfig), typed clients with a request
// timeout, and API errors turned into one readable shape.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiException, KubeConfig, Observable, type ObservableMiddleware, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

import { ClusterAccessError } from './errors.js';

export { ClusterAccessError };

/**
 * `--kubeconfig FILE` when given; otherwise what kubectl would use: $KUBECONFIG, ~/.kube/config, or the
 * in-cluster ServiceAccount. `--context NAME` picks a context other than the current one. Impersonation (`as:` in the kubeconfig user) is honoured by the client.
 */
export function loadKubeConfig(path?: string, context?: string): KubeConfig {
  // With nothing to load, the client would quietly talk to http://localhost:8080; say what is missing instead.
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
  if (!path && !process.env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config')) && !inCluster) {
    throw new ClusterAccessError('no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run in a pod with a ServiceAccount');
  }
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (error) {
    throw new ClusterAccessError(`cannot load the kubeconfig${path ? ` ${path}` : ''}: ${(error as Error).message}`);
  }
  if (context !== undefined) {
    if (!kc.getContextObject(context)) {
      throw new ClusterAccessError(`no context ${JSON.stringify(context)} in the kubeconfig${path ? ` ${path}` : ''} (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new ClusterAccessError(`no cluster to talk to: the kubeconfig${path ? ` ${path}` : ''} has no current context with a server (set --kubeconfig, or KUBECONFIG)`);
  }
  return kc;
}

/** Call options that abort a request after timeoutMs (the generated clients have no timeout of their own). */
export function withTimeout(timeoutMs: number): { middleware: ObservableMiddleware[]; middlewareMergeStrategy: 'append' } {
  return {
    // The object-parameter clients (makeApiClient) run observable middleware.
    middleware: [{
      pre: (context: RequestContext) => {
        context.setSignal(AbortSignal.timeout(timeoutMs));
        return new Observable(Promise.resolve(context));
      },
      post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
    }],
    middlewareMergeStrategy: 'append',
  };
}

/** An API answer that is not a success: the HTTP code (0 when the server was not reached) and why. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get forbidden(): boolean {
    return this.code === 401 || this.code === 403;
  }
}

function statusMessage(body: unknown): string | undefined {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return body.trim() || undefined;
    }
  }
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return undefined;
}

/** Any error from a client call, as an ApiError (404 is for callers to treat as absent). */
export function apiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ApiException) {
    const code = error.code as number;
    return new ApiError(code, `HTTP ${code}: ${statusMessage(error.body) ?? 'no message'}`);
  }
  const e = error as { name?: string; type?: string; message?: string; code?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.type === 'aborted') return new ApiError(0, 'timed out');
  return new ApiError(0, e?.message ?? String(error));
}
