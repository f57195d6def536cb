// The install users run, on the test API server: `helm install` with the chart's defaults (cert-manager
// issues the serving certificate, cainjector puts its CA into both webhook configurations, the API server
// calls the webhook through the chart's Service). What a cluster would add and this machine lacks is
// played by the harness, and only that: cert-manager's controllers run from its own Go packages
// (test/e2e/cert-manager), the Deployment's pod runs here (harness/pod.ts), and an EndpointSlice points
// the Service at it, on this machine's non-loopback IPv6 address (EndpointSlice validation refuses
// loopback). kube-apiserver runs with --enable-aggregator-routing=true, so it resolves the Service to
// that endpoint and verifies TLS against the injected caBundle for <service>.<namespace>.svc.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseAllDocuments } from 'yaml';
import { waitFor } from '../../support/wait.js';
import { freePorts, type TestCluster } from './cluster.js';
import { runDeploymentPod, type ProjectedPod } from './pod.js';
import { counterSum, type WebhookProcess } from './webhook.js';
import { REPO_ROOT } from '../../support/repo-root.js';

const SHARED = process.env.SHARED_DIR ?? join(REPO_ROOT, '../shared');
export const CHART = join(REPO_ROOT, 'charts/calico-ipv6-webhook');
const CERT_MANAGER_BIN = process.env.E2E_CERT_MANAGER_BIN ?? join(REPO_ROOT, '.cache/bin/cert-manager-e2e');

/** Applies every CRD in the given fixture folders (server-side: they exceed the last-applied annotation). */
export async function installCrds(cluster: TestCluster, folders: string[], established: string[]): Promise<void> {
  const files = folders.flatMap((folder) => readdirSync(folder).filter((f) => f.endsWith('.yaml')).map((f) => join(folder, f)));
  assert.ok(files.length > 0, `CRDs expected in ${folders.join(', ')}`);
  const r = await cluster.kubectl(['apply', '--server-side', ...files.flatMap((f) => ['-f', f])]);
  assert.equal(r.code, 0, r.stderr);
  const ok = await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=30s', ...established.map((c) => `crd/${c}`)]);
  assert.equal(ok.code, 0, ok.stderr);
}

export const CERT_MANAGER_CRDS = join(SHARED, 'fixtures/cert-manager');
export const PROMETHEUS_OPERATOR_CRDS = join(SHARED, 'fixtures/prometheus-operator');

export interface CertManager {
  /** Its log (klog), for a failing test to show. */
  logFile: string;
  stop(): Promise<void>;
}

/** Installs cert-manager's CRDs and runs its issuing controllers and CA injector against the cluster. */
export async function startCertManager(cluster: TestCluster): Promise<CertManager> {
  if (!existsSync(CERT_MANAGER_BIN)) throw new Error(`${CERT_MANAGER_BIN} is missing: run bash scripts/provision.sh e2e (npm run test:e2e does)`);
  await installCrds(cluster, [CERT_MANAGER_CRDS], ['certificates.cert-manager.io', 'issuers.cert-manager.io', 'certificaterequests.cert-manager.io']);
  const logFile = join(process.env.E2E_LOG_DIR ?? cluster.dir, 'cert-manager.log');
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(CERT_MANAGER_BIN, [`--kubeconfig=${cluster.kubeconfigPath}`, '--v=2'], { stdio: ['ignore', 'pipe', fd] });
  closeSync(fd);
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cert-manager did not start within 30 s (see ${logFile})`)), 30_000);
    child.once('exit', (code) => reject(new Error(`cert-manager exited with ${code} (see ${logFile})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('cert-manager-e2e: started')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    logFile,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * This machine's global IPv6 address, what a pod's address is in a cluster: not loopback (::1) and not
 * link-local, which EndpointSlice validation refuses; an interface's first, else one added to lo.
 */
export function machineIPv6(): string {
  const all = Object.values(networkInterfaces()).flatMap((a) => a ?? [])
    .filter((a) => a.family === 'IPv6' && a.address !== '::1' && !a.address.startsWith('fe80:'));
  const found = all.find((a) => !a.internal) ?? all[0];
  if (!found) throw new Error('the Service route needs a global IPv6 address on this machine (EndpointSlices refuse loopback and link-local addresses); e.g. ip -6 addr add fd00:e2e::1/128 dev lo');
  return found.address;
}

interface Rendered { kind: string; metadata: { name: string }; spec?: { ports?: { name?: string; port: number }[] } }

export interface ServiceRoute {
  release: string;
  namespace: string;
  service: { name: string; port: number; dnsName: string };
  /** The serving Certificate and the Secret cert-manager writes it to. */
  certificate: string;
  secret: string;
  pod: ProjectedPod;
  /** The webhook process running now (changes when the pod is restarted). */
  webhook(): WebhookProcess;
  /** `helm upgrade --reuse-values` with more --set flags; waits until cainjector has injected the CA again. */
  upgrade(set: string[]): Promise<void>;
  /** Replaces the server's config.yaml in the chart's ConfigMap and waits until the running server reloaded it. */
  reconfigure(values: Record<string, unknown>): Promise<void>;
  /** The caBundle of each webhook configuration of the release (absent when not injected yet). */
  caBundles(): Promise<{ mutating?: string; validating?: string }>;
  /** The serving Secret's tls.crt and ca.crt. */
  servingSecret(): Promise<{ cert: string; ca: string }>;
  close(): Promise<void>;
}

export interface ServiceRouteOptions {
  helm: 3 | 4;
  release: string;
  namespace: string;
  /** Where the pod's volumes are projected. */
  dir: string;
  /** Extra `--set` values (the defaults are the chart's: cert-manager on, Service route). */
  set?: string[];
}

/** `helm install` with the chart's defaults, then the pod, its endpoint and the injected CA, ready for reviews. */
export async function installOnServiceRoute(cluster: TestCluster, options: ServiceRouteOptions): Promise<ServiceRoute> {
  const { release, namespace } = options;
  const [port] = (await freePorts(1)) as [number];
  const installed = await cluster.helm(options.helm, [
    'install', release, CHART, '--namespace', namespace, '--create-namespace',
    // The pod listens on the machine, where 8443 may be taken; it is the chart's own value.
    '--set', `server.port=${port}`, '--set', 'server.shutdownDelaySeconds=0',
    ...(options.set ?? []),
  ], { timeoutMs: 120_000 });
  assert.equal(installed.code, 0, `${installed.stdout}\n${installed.stderr}`);
  const manifest = await cluster.helm(options.helm, ['get', 'manifest', release, '--namespace', namespace]);
  const objects = parseAllDocuments(manifest.stdout).map((d) => d.toJS() as Rendered | null).filter((o): o is Rendered => !!o?.kind);
  const named = (kind: string, pick: (o: Rendered) => boolean = () => true) => {
    const o = objects.find((x) => x.kind === kind && pick(x));
    assert.ok(o, `the chart rendered a ${kind}`);
    return o;
  };
  const svc = named('Service');
  const svcPort = svc.spec?.ports?.find((p) => p.name === 'https');
  assert.ok(svcPort, 'the Service has an https port');
  const deployment = named('Deployment').metadata.name;
  const certificate = named('Certificate', (o) => !o.metadata.name.endsWith('-ca')).metadata.name;
  const secretOf = await cluster.kubectl(['get', 'certificate', certificate, '-n', namespace, '-o', 'jsonpath={.spec.secretName}']);
  const secret = secretOf.stdout;
  const service = { name: svc.metadata.name, port: svcPort.port, dnsName: `${svc.metadata.name}.${namespace}.svc` };

  const servingSecret = async () => {
    const r = await cluster.kubectl(['get', 'secret', secret, '-n', namespace, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const data = (JSON.parse(r.stdout) as { data: Record<string, string> }).data;
    const decode = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString('utf8');
    return { cert: decode('tls.crt'), ca: decode('ca.crt') };
  };
  const caBundles = async () => {
    const read = async (kind: string) => {
      const r = await cluster.kubectl(['get', kind, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'jsonpath={.items[0].webhooks[0].clientConfig.caBundle}']);
      return r.code === 0 && r.stdout ? Buffer.from(r.stdout, 'base64').toString('utf8') : undefined;
    };
    return { mutating: await read('mutatingwebhookconfiguration'), validating: await read('validatingwebhookconfiguration') };
  };
  const injected = async (mutation: boolean) => {
    await waitFor('cert-manager to issue the serving certificate', async () => ((await servingSecret().catch(() => undefined))?.ca ? true : undefined), 60_000, 500);
    const { ca } = await servingSecret();
    await waitFor('cainjector to inject the CA into the webhook configurations', async () => {
      const b = await caBundles();
      return b.validating === ca && (!mutation || b.mutating === ca) ? true : undefined;
    }, 60_000, 500);
  };
  let mutation = !(options.set ?? []).includes('mutation.enabled=false');
  await injected(mutation);

  const pod = await runDeploymentPod(cluster, namespace, deployment, options.dir, { servername: service.dnsName });
  // The endpoint controller's work: the Service's endpoint is the pod, once it serves.
  const slice = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${service.name}-e2e`, namespace, labels: { 'kubernetes.io/service-name': service.name, 'endpointslice.kubernetes.io/managed-by': 'calico-ipv6-webhook-e2e' } },
    addressType: 'IPv6',
    endpoints: [{ addresses: [machineIPv6()], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(slice) });
  assert.equal(applied.code, 0, applied.stderr);

  return {
    release, namespace, service, certificate, secret, pod,
    webhook: () => pod.webhook,
    upgrade: async (set) => {
      const r = await cluster.helm(options.helm, ['upgrade', release, CHART, '--namespace', namespace, '--reuse-values', ...set], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const flag = set.find((s) => s.startsWith('mutation.enabled='));
      if (flag) mutation = flag.endsWith('=true');
      await injected(mutation);
    },
    reconfigure: async (values) => {
      // As an operator would: the chart's config values, which render the ConfigMap the pod projects.
      const before = counterSum(await pod.webhook.metrics(), 'calico_ipv6_webhook_reloads_total', { what: 'config', result: 'ok' });
      const r = await cluster.helm(options.helm, ['upgrade', release, CHART, '--namespace', namespace, '--reuse-values', ...configSets(values)], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      await waitFor('the webhook to reload its configuration', async () =>
        (counterSum(await pod.webhook.metrics(), 'calico_ipv6_webhook_reloads_total', { what: 'config', result: 'ok' }) > before ? true : undefined), 30_000, 250);
    },
    caBundles,
    servingSecret,
    close: () => pod.close(),
  };
}

/** `--set-string config.<key>=<value>` for each (nested) value. */
function configSets(values: Record<string, unknown>, prefix = 'config'): string[] {
  return Object.entries(values).flatMap(([k, v]) => (v !== null && typeof v === 'object'
    ? configSets(v as Record<string, unknown>, `${prefix}.${k}`)
    : ['--set-string', `${prefix}.${k}=${String(v)}`]));
}
