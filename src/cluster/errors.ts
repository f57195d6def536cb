// The one error the cluster-aware commands report as "cannot use the cluster" (exit 2). Kept apart from
// the client so the command line can recognise it without loading @kubernetes/client-node.
export class ClusterAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterAccessError';
  }
}
