// Everything doctor reads from the cluster, read once up front; the checks are pure functions of it.
import type { KubeObject } from '../k8s/object.js';
import { ClusterAccessError, apiError } from '../cluster/client.js';
import type { ClusterReader, NamespaceScope } from '../cluster/reader.js';
import { KUBEADM_CONFIG, KUBELET_CONFIG } from '../cluster/settings.js';
import { clusterContext, readTargets, type ClusterContext, type TargetObjects } from '../cluster/targets.js';
import { KUBE_SYSTEM, nameOf } from '../k8s/object.js';
import { TARGETS } from '../targets/registry.js';
import type { Target } from '../targets/target.js';
import { readAdmissionObjects, type FetchedAdmission } from './admission-engine.js';

/** A read that may have failed; code is the HTTP status (0: the server was not reached). */
export type Fetched<T> = { ok: true; value: T } | { ok: false; error: string; code: number };

/** What was read for each target that keeps its component's settings in a ConfigMap (doctor.settings), by target id. */
export type SettingsObjects = Readonly<Record<string, Fetched<KubeObject | undefined>>>;

export interface ClusterSnapshot {
  /** Pods in kube-system: the static control-plane pods' mirrors are among them. */
  pods: Fetched<KubeObject[]>;
  kubeadmConfig: Fetched<KubeObject | undefined>;
  /** The components' settings ConfigMaps (kube-proxy's), by target id. */
  settings: SettingsObjects;
  kubeletConfig: Fetched<KubeObject | undefined>;
  nodes: Fetched<KubeObject[]>;
  /** Each node's kubelet /configz, when it was asked for. */
  configz: Record<string, Fetched<unknown>>;
  targets: TargetObjects;
  /** The webhook configurations and admission policies: which admission engine is installed. */
  admission?: FetchedAdmission;
  context: ClusterContext;
  scope: NamespaceScope;
}

async function fetched<T>(call: () => Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const e = apiError(error);
    return { ok: false, error: e.message, code: e.code };
  }
}

export interface GatherOptions {
  scope: NamespaceScope;
  /** Ask each kubelet for /configz through the API server (needs nodes/proxy); default true. */
  configz?: boolean;
  /** Concurrent /configz requests. */
  configzConcurrency?: number;
  targets?: readonly Target[];
}

/** Reads what the checks need; fails only when the API server cannot be reached at all. */
export async function gatherSnapshot(reader: ClusterReader, options: GatherOptions): Promise<ClusterSnapshot> {
  const nodes = await fetched(() => reader.listNodes());
  // A first call that never reached a server says nothing useful check by check.
  if (!nodes.ok && nodes.code === 0) throw new ClusterAccessError(`cannot reach the API server: ${nodes.error}`);
  const registry = options.targets ?? TARGETS;
  const sources = registry.flatMap((t) => (t.doctor?.settings ? [{ target: t.id, ...t.doctor.settings }] : []));
  const [pods, kubeadmConfig, kubeletConfig, targets, admission, ...read] = await Promise.all([
    fetched(() => reader.listPods(KUBE_SYSTEM)),
    fetched(() => reader.getConfigMap(KUBE_SYSTEM, KUBEADM_CONFIG)),
    fetched(() => reader.getConfigMap(KUBE_SYSTEM, KUBELET_CONFIG)),
    readTargets(reader, options.scope, registry),
    readAdmissionObjects(reader),
    ...sources.map((s) => fetched(() => reader.getConfigMap(s.namespace, s.name))),
  ]);
  const settings = Object.fromEntries(sources.map((s, i) => [s.target, read[i] as Fetched<KubeObject | undefined>]));
  const context = await clusterContext(reader, targets.objects);
  const configz: Record<string, Fetched<unknown>> = {};
  if (options.configz !== false && nodes.ok) {
    const names = nodes.value.map(nameOf).filter((n): n is string => n !== undefined);
    const limit = Math.max(1, options.configzConcurrency ?? 8);
    for (let i = 0; i < names.length; i += limit) {
      const batch = names.slice(i, i + limit);
      const answers = await Promise.all(batch.map((name) => fetched(() => reader.nodeConfigz(name))));
      batch.forEach((name, j) => (configz[name] = answers[j] as Fetched<unknown>));
    }
  }
  return { pods, kubeadmConfig, settings, kubeletConfig, nodes, configz, targets, admission, context, scope: options.scope };
}

export function describeScope(scope: NamespaceScope): string {
  return scope.all ? 'any namespace' : `namespace${scope.namespaces.length === 1 ? '' : 's'} ${scope.namespaces.join(', ')}`;
}
