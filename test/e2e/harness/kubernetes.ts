// Which Kubernetes the e2e suite runs on: E2E_K8S picks one minor of test/e2e/kubernetes-versions.json
// (scripts/test-e2e.sh runs the suite once per minor); each minor has its own kube-apiserver, kubectl
// and etcd in .cache/bin/k8s-<minor>/, built by scripts/provision.sh.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/repo-root.js';

interface VersionEntry { apiserverModule: string; etcdModule: string; apiserverArgs: string[] }
interface VersionsFile { default: string; versions: Record<string, VersionEntry> }

export interface KubernetesTarget {
  /** "1.37" */
  minor: string;
  /** What its module pins, e.g. "v1.37.2": the version the built binaries must report. */
  version: string;
  /** .cache/bin/k8s-<minor> */
  binDir: string;
  /** What this minor needs on the kube-apiserver command line for the features under test. */
  apiserverArgs: string[];
}

export function kubernetesTarget(env: NodeJS.ProcessEnv = process.env): KubernetesTarget {
  const file = JSON.parse(readFileSync(join(REPO_ROOT, 'test/e2e/kubernetes-versions.json'), 'utf8')) as VersionsFile;
  const minor = env.E2E_K8S?.trim() || file.default;
  const entry = file.versions[minor];
  if (!entry) throw new Error(`E2E_K8S=${minor}: not one of ${Object.keys(file.versions).join(', ')} (test/e2e/kubernetes-versions.json)`);
  const goMod = readFileSync(join(REPO_ROOT, entry.apiserverModule, 'go.mod'), 'utf8');
  const version = /^require k8s\.io\/kubernetes (v\S+)$/m.exec(goMod)?.[1];
  if (!version) throw new Error(`${entry.apiserverModule}/go.mod does not require k8s.io/kubernetes`);
  return { minor, version, binDir: join(REPO_ROOT, '.cache/bin', `k8s-${minor}`), apiserverArgs: entry.apiserverArgs };
}
