// The webhook scoping derived from the targets: which resources the API server sends (the webhook
// configurations' rules) and which object names (their matchConditions). The validating webhook gets
// every target, the mutating one only targets that mutate. The chart test compares the chart with both.
import type { Target } from './target.js';

export interface ScopedResource {
  group: string;
  versions: string[];
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Object names the targets own; `any` when every object of the resource is a target. */
  names: string[] | 'any';
}

/** One entry per (group, resource), names merged across the targets that share it, in registry order. */
export function webhookScope(targets: readonly Target[]): ScopedResource[] {
  const byResource = new Map<string, ScopedResource>();
  for (const target of targets) {
    for (const r of target.resources) {
      const key = `${r.group}/${r.resource}`;
      const entry = byResource.get(key) ?? { group: r.group, versions: [], resource: r.resource, kind: r.kind, namespaced: r.namespaced, names: [] };
      for (const v of r.versions) if (!entry.versions.includes(v)) entry.versions.push(v);
      if (r.names === 'any' || entry.names === 'any') entry.names = 'any';
      else for (const n of r.names) if (!entry.names.includes(n)) entry.names.push(n);
      byResource.set(key, entry);
    }
  }
  return [...byResource.values()];
}

/** The mutating webhook's scope: the targets with a mutate step (a validate-only target such as IPPool is left out). */
export function mutatingScope(targets: readonly Target[]): ScopedResource[] {
  return webhookScope(targets.filter((target) => target.mutates));
}
