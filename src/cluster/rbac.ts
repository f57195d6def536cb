// The API access the cluster-aware code needs, derived from the targets: what the chart's discovery
// RBAC must grant (no more, no less), and what the e2e test checks by running everything as that
// ServiceAccount.
import { TARGETS } from '../targets/registry.js';
import type { Target } from '../targets/target.js';
import { FELIX_CONFIGURATION } from './felix-configuration.js';
import { SETTINGS_CONFIGMAPS } from './settings.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

export interface ReadAccess {
  /** Cluster-wide rules (a ClusterRole bound cluster-wide). */
  cluster: PolicyRule[];
  /** Rules granted in each discovery namespace (kube-system at least). */
  namespaced: PolicyRule[];
}

/** Adds grants, merging rules of one (group, resource, verbs) so the list stays short and readable. */
function grant(rules: PolicyRule[], group: string, resource: string, verbs: string[], names: readonly string[] | 'any'): void {
  const same = rules.find((r) => r.apiGroups[0] === group && r.resources[0] === resource && r.verbs.join() === verbs.join()
    && (names === 'any') === (r.resourceNames === undefined));
  if (same && names !== 'any') for (const n of names) { if (!same.resourceNames?.includes(n)) same.resourceNames?.push(n); }
  else if (!same) rules.push({ apiGroups: [group], resources: [resource], ...(names === 'any' ? {} : { resourceNames: [...names] }), verbs });
}

/**
 * - Nodes (cluster-wide): discovery lists and watches them (spec.podCIDRs); doctor lists them (InternalIP).
 * - kubeadm-config, kube-proxy, kubelet-config (SETTINGS_CONFIGMAPS): discovery lists+watches them for the
 *   cluster's settings; doctor gets them. They are discovery's and doctor's own reads, not a target's.
 * - Each target's `readsConfigMaps` (calico-node: kubernetes-services-endpoint, which every Calico manifest's
 *   calico-node reads through envFrom): discovery watches them so the env the target sees is known (issue 14).
 * - Each target resource: doctor and audit get its objects by name, or list them when a target owns every
 *   name (reader.ts findNamed: never a get then); discovery lists+watches those marked `watch`. Lists and watches carry a metadata.name
 *   field selector, which RBAC matches against resourceNames.
 * - FelixConfigurations (cluster-wide, every name: "default" and the per-node ones that override it): discovery
 *   lists and watches them for programClusterRoutes; without the CRD or this grant it stays unknown (strict).
 * - pods: doctor lists kube-system to find the static control-plane pods (names are per node).
 * Not granted on purpose: `get nodes/proxy` would let doctor read each kubelet's /configz, but it opens
 * the whole kubelet API (exec included). Without it doctor falls back to the kubelet-config ConfigMap.
 */
export function readAccess(targets: readonly Target[]): ReadAccess {
  const cluster: PolicyRule[] = [
    { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
    { apiGroups: [FELIX_CONFIGURATION.group], resources: [FELIX_CONFIGURATION.resource], verbs: ['list', 'watch'] },
  ];
  const namespaced: PolicyRule[] = [];
  grant(namespaced, '', 'configmaps', ['get', 'list', 'watch'], [...SETTINGS_CONFIGMAPS, ...targets.flatMap((t) => t.readsConfigMaps ?? [])]);
  for (const target of targets) {
    for (const r of target.resources) {
      const verbs = r.names === 'any' ? ['list', ...(r.watch ? ['watch'] : [])] : ['get', ...(r.watch ? ['list', 'watch'] : [])];
      const rules = r.namespaced ? namespaced : cluster;
      // A name already granted with more verbs (kube-proxy: a setting discovery watches, and a target) needs nothing more.
      const covered = (n: string) => rules.some((x) => x.apiGroups[0] === r.group && x.resources[0] === r.resource && x.resourceNames?.includes(n) && verbs.every((v) => x.verbs.includes(v)));
      grant(rules, r.group, r.resource, verbs, r.names === 'any' ? 'any' : r.names.filter((n) => !covered(n)));
    }
  }
  namespaced.push({ apiGroups: [''], resources: ['pods'], verbs: ['list'] });
  return { cluster, namespaced: namespaced.filter((r) => r.resourceNames === undefined || r.resourceNames.length > 0) };
}

const ACCESS = readAccess(TARGETS);
export const CLUSTER_RULES: readonly PolicyRule[] = ACCESS.cluster;
export const NAMESPACE_RULES: readonly PolicyRule[] = ACCESS.namespaced;

/** Rules as a set of `group/resource/name:verb` grants, so two rule lists compare by what they allow. */
export function grants(rules: readonly PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const group of r.apiGroups) for (const resource of r.resources) for (const verb of r.verbs) {
      for (const name of r.resourceNames?.length ? r.resourceNames : ['*']) out.add(`${group || 'core'}/${resource}/${name}:${verb}`);
    }
  }
  return [...out].sort();
}
