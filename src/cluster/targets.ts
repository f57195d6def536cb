// The target objects that already exist in a cluster (what audit lists and doctor checks), and the
// context the rules need for them: ConfigMaps their env refers to, and the cluster's Calico version.
import { TARGETS } from '../targets/registry.js';
import { calicoVersionOfObject } from '../targets/registry.js';
import { configMapsAmong, type ConfigMapRef, type ConfigMapSource } from '../k8s/config-maps.js';
import { isRecord, nameOf, namespaceOf } from '../k8s/object.js';
import type { KubeObject } from '../k8s/object.js';
import type { Target } from '../targets/target.js';
import type { Version } from '../k8s/versions.js';
import { apiError } from './client.js';
import type { ClusterReader, NamespaceScope } from './reader.js';

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

/** How a read failure names what it could not read: `DaemonSet calico-node`, or `IPPool (any name)`. */
export function readWhat(kind: string, name: string | undefined): string {
  return `${kind} ${name ?? '(any name)'}`;
}

/** Every object the targets own, found in the scope, each once; a failed read is kept, not thrown. */
export async function readTargets(reader: ClusterReader, scope: NamespaceScope, targets: readonly Target[] = TARGETS): Promise<TargetObjects> {
  const objects: KubeObject[] = [];
  const failures: ReadFailure[] = [];
  const asked = new Set<string>();
  for (const target of targets) {
    for (const resource of target.resources) {
      for (const name of resource.names === 'any' ? [undefined] : resource.names) {
        const id = `${resource.group}/${resource.resource}/${name ?? '*'}`;
        if (asked.has(id)) continue;
        asked.add(id);
        try {
          objects.push(...(await reader.findNamed(resource, name, scope)));
        } catch (error) {
          const e = apiError(error);
          failures.push({ what: readWhat(resource.kind, name), error: e.message, code: e.code });
        }
      }
    }
  }
  return { objects, failures };
}

/** ConfigMaps that the env of a workload's containers reads: valueFrom.configMapKeyRef and envFrom.configMapRef. */
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
      // envFrom ConfigMaps set variables too (the kubelet reads them before env).
      const envFrom: unknown = isRecord(container) ? container.envFrom : undefined;
      for (const source of Array.isArray(envFrom) ? envFrom : []) {
        const ref = isRecord(source) && isRecord(source.configMapRef) ? source.configMapRef : undefined;
        if (ref && typeof ref.name === 'string') refs.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
      }
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

export interface ClusterContext {
  /** The ConfigMaps read, the same answer the webhook's discovery cache gives. */
  configMaps: ConfigMapSource;
  calicoVersionHint: Version | undefined;
  failures: ReadFailure[];
}

/** Reads the ConfigMaps the targets refer to (those among the targets are reused) and finds the Calico version. */
export async function clusterContext(reader: ClusterReader, targets: readonly KubeObject[]): Promise<ClusterContext> {
  const known = targets.filter((o) => o.kind === 'ConfigMap');
  const configMaps = [...known];
  const failures: ReadFailure[] = [];
  const missing: ConfigMapRef[] = [];
  const wanted = new Map<string, ConfigMapRef>();
  for (const object of targets) for (const ref of configMapRefs(object)) wanted.set(`${ref.namespace}/${ref.name}`, ref);
  for (const ref of wanted.values()) {
    if (known.some((c) => namespaceOf(c) === ref.namespace && nameOf(c) === ref.name)) continue;
    try {
      const cm = await reader.getConfigMap(ref.namespace, ref.name);
      if (cm) configMaps.push(cm);
      else missing.push(ref);
    } catch (error) {
      const e = apiError(error);
      failures.push({ what: `ConfigMap ${ref.namespace}/${ref.name}`, error: e.message, code: e.code });
    }
  }
  const calicoVersionHint = targets.map((o) => calicoVersionOfObject(o)).find((v) => v !== undefined);
  return { configMaps: configMapsAmong(configMaps, missing), calicoVersionHint, failures };
}
