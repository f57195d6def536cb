// The target objects that already exist in a cluster (what audit lists and doctor checks), and the
// context the rules need for them: ConfigMaps their env refers to, and the cluster's Calico version.
import { TARGETS } from '../rules/registry.js';
import { calicoVersionOfObject } from '../rules/calico-node.js';
import { isRecord, nameOf, namespaceOf } from '../rules/k8s-object.js';
import type { KubeObject, RuleContext } from '../rules/types.js';
import type { Version } from '../rules/versions.js';
import { apiError } from './client.js';
import type { ClusterReader, NamespaceScope, TargetKind } from './reader.js';

export interface ReadFailure {
  /** What could not be read, e.g. `DaemonSet calico-node` or `ConfigMap kube-system/calico-config`. */
  what: string;
  error: string;
  /** HTTP status; 0 when the API server was not reached. */
  code: number;
}

export interface TargetObjects {
  objects: KubeObject[];
  failures: ReadFailure[];
}

/** Every (kind, name) the rules target, found in the scope; a failed read is kept, not thrown. */
export async function readTargets(reader: ClusterReader, scope: NamespaceScope): Promise<TargetObjects> {
  const objects: KubeObject[] = [];
  const failures: ReadFailure[] = [];
  for (const target of TARGETS) {
    for (const name of target.names) {
      try {
        objects.push(...(await reader.findNamed(target.kind as TargetKind, name, scope)));
      } catch (error) {
        const e = apiError(error);
        failures.push({ what: `${target.kind} ${name}`, error: e.message, code: e.code });
      }
    }
  }
  return { objects, failures };
}

export interface ConfigMapRef {
  namespace: string;
  name: string;
}

/** ConfigMaps that the env of a workload's containers reads through valueFrom.configMapKeyRef. */
export function configMapRefs(object: KubeObject): ConfigMapRef[] {
  const namespace = namespaceOf(object);
  if (!namespace) return [];
  const spec = isRecord(object.spec) ? object.spec : {};
  const template = isRecord(spec.template) ? spec.template : {};
  const podSpec = isRecord(template.spec) ? template.spec : {};
  const refs = new Map<string, ConfigMapRef>();
  for (const list of [podSpec.containers, podSpec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const container of list) {
      const env: unknown = isRecord(container) ? container.env : undefined;
      if (!Array.isArray(env)) continue;
      for (const entry of env) {
        const valueFrom = isRecord(entry) && isRecord(entry.valueFrom) ? entry.valueFrom : undefined;
        const ref = valueFrom && isRecord(valueFrom.configMapKeyRef) ? valueFrom.configMapKeyRef : undefined;
        if (ref && typeof ref.name === 'string') refs.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
      }
    }
  }
  return [...refs.values()];
}

export type ConfigMapLookup = NonNullable<RuleContext['lookupConfigMapKey']>;

/** A lookup over ConfigMaps already read: the same answer the webhook's discovery cache gives. */
export function lookupIn(configMaps: readonly KubeObject[]): ConfigMapLookup {
  return (namespace, name, key) => {
    const cm = configMaps.find((c) => namespaceOf(c) === namespace && nameOf(c) === name);
    const value = cm && isRecord(cm.data) ? cm.data[key] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
}

export interface ClusterContext {
  lookupConfigMapKey: ConfigMapLookup;
  calicoVersionHint: Version | undefined;
  failures: ReadFailure[];
}

/** Reads the ConfigMaps the targets refer to (those among the targets are reused) and finds the Calico version. */
export async function clusterContext(reader: ClusterReader, targets: readonly KubeObject[]): Promise<ClusterContext> {
  const known = targets.filter((o) => o.kind === 'ConfigMap');
  const configMaps = [...known];
  const failures: ReadFailure[] = [];
  const wanted = new Map<string, ConfigMapRef>();
  for (const object of targets) for (const ref of configMapRefs(object)) wanted.set(`${ref.namespace}/${ref.name}`, ref);
  for (const ref of wanted.values()) {
    if (known.some((c) => namespaceOf(c) === ref.namespace && nameOf(c) === ref.name)) continue;
    try {
      const cm = await reader.getConfigMap(ref.namespace, ref.name);
      if (cm) configMaps.push(cm);
    } catch (error) {
      const e = apiError(error);
      failures.push({ what: `ConfigMap ${ref.namespace}/${ref.name}`, error: e.message, code: e.code });
    }
  }
  const calicoVersionHint = targets.map(calicoVersionOfObject).find((v) => v !== undefined);
  return { lookupConfigMapKey: lookupIn(configMaps), calicoVersionHint, failures };
}
