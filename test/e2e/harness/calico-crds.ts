// Calico's own CustomResourceDefinitions (the operator's Installation, IPPool in crd.projectcalico.org/v1
// and projectcalico.org/v3) installed on the test API server, so custom resources reach the webhook as
// they do in a cluster and the CRDs' own schema and CEL rules run before it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type TestCluster } from './cluster.js';
import { REPO_ROOT } from '../../support/repo-root.js';

/** `../shared/fixtures/calico-crds` beside the repository, or CALICO_CRDS_DIR. */
export const CALICO_CRDS_DIR = process.env.CALICO_CRDS_DIR ?? join(REPO_ROOT, '../shared/fixtures/calico-crds');

export const CRD_NAMES = {
  installations: 'installations.operator.tigera.io',
  ippoolsV1: 'ippools.crd.projectcalico.org',
  ippoolsV3: 'ippools.projectcalico.org',
} as const;

/** The CRD files to install: the three above and the other kinds a custom-resources.yaml carries. */
export function calicoCrdFiles(): string[] {
  if (!existsSync(CALICO_CRDS_DIR)) throw new Error(`${CALICO_CRDS_DIR} is missing (set CALICO_CRDS_DIR)`);
  return readdirSync(CALICO_CRDS_DIR).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(CALICO_CRDS_DIR, f));
}

/**
 * Applies every CRD server-side (the Installation CRD, about 1.4 MB, is too large for the last-applied
 * annotation of a client-side apply) and waits until each is Established.
 */
export async function installCalicoCrds(cluster: TestCluster): Promise<void> {
  for (const file of calicoCrdFiles()) {
    const applied = await cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', file], { timeoutMs: 120_000 });
    if (applied.code !== 0) throw new Error(`installing ${file} failed: ${applied.stderr}`);
  }
  const waited = await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...Object.values(CRD_NAMES).map((n) => `crd/${n}`)], { timeoutMs: 90_000 });
  if (waited.code !== 0) throw new Error(`Calico CRDs not established: ${waited.stderr}`);
}
