// Felix's FelixConfiguration resources (crd.projectcalico.org/v1, cluster-scoped), read for one setting:
// whether Felix programs the cluster routes itself, so that an unencapsulated IPv6 pool is routed without BIRD.
import { felixProgramsClusterRoutes } from '../calico/node-env.js';
import { isRecord, nameOf, type KubeObject } from '../k8s/object.js';
import type { ApiResource } from '../k8s/resource.js';
import type { WatchTarget } from './watch.js';

export const FELIX_CONFIGURATION: ApiResource = { group: 'crd.projectcalico.org', versions: ['v1'], resource: 'felixconfigurations', kind: 'FelixConfiguration', namespaced: false };

/** Every FelixConfiguration: "default" and the per-node (node.<name>) or per-selector ones that may override it. */
export const FELIX_CONFIGURATIONS: WatchTarget = { resource: FELIX_CONFIGURATION.resource, api: FELIX_CONFIGURATION, namespace: undefined, name: undefined };

function programClusterRoutes(object: KubeObject): string | undefined {
  const value = isRecord(object.spec) ? object.spec.programClusterRoutes : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * true only when every node's Felix gets programClusterRoutes Enabled from the resources: "default" says
 * Enabled (DatastoreGlobal) and no other FelixConfiguration says anything else, since a per-node or
 * per-selector one outranks it (SourcesInDescendingOrder, felix/config/config_params.go v3.32.1:86).
 * A field left unset there overrides nothing. The env FELIX_PROGRAMCLUSTERROUTES outranks all of these.
 */
export function felixConfigurationsEnableClusterRoutes(objects: readonly KubeObject[]): boolean {
  const global = objects.find((o) => nameOf(o) === 'default');
  if (!global || !felixProgramsClusterRoutes(programClusterRoutes(global))) return false;
  return objects.every((o) => {
    const value = programClusterRoutes(o);
    return value === undefined || felixProgramsClusterRoutes(value);
  });
}
