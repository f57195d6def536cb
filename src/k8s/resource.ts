// A served API resource, the way the API server, RBAC and webhook rules name it.

export interface ApiResource {
  /** API group; '' is the core group. */
  group: string;
  /** Served versions, preferred first. One kind may be served in several versions (and groups). */
  versions: readonly string[];
  /** The plural resource name: RBAC and webhook rules name it. */
  resource: string;
  kind: string;
  /** false for cluster-scoped resources (Nodes, IPPools, Installations). */
  namespaced: boolean;
}
