// The Helm chart against a real kube-apiserver, with Helm 3 and Helm 4: every rendered object is
// accepted, the chart's own webhook configurations correct a real Calico manifest, and upgrade and
// uninstall leave nothing behind. The webhooks point by URL at a server run from dist/ (the Service route
// with cert-manager, the chart's defaults, is webhook.e2e.test.ts).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { makeServingCert, startCluster, type ServingCert, type TestCluster } from './harness/cluster.js';
import { CERT_MANAGER_CRDS, CHART, PROMETHEUS_OPERATOR_CRDS, installCrds } from './harness/service-route.js';
import { startWebhook, writeConfig, type WebhookProcess } from './harness/webhook.js';
import { REPO_ROOT } from '../support/repo-root.js';

const REAL = process.env.REAL_FIXTURES_DIR ?? join(REPO_ROOT, '../shared/fixtures/real');

let cluster: TestCluster;
let webhook: WebhookProcess;
let cert: ServingCert;
let dir: string;

interface Rendered { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }

function objectsOf(manifest: string): Rendered[] {
  return parseAllDocuments(manifest).map((d) => d.toJS() as Rendered | null).filter((o): o is Rendered => o !== null && typeof o.kind === 'string');
}

/** `kubectl get` for one object, in its namespace when it has one. */
async function exists(o: Rendered, namespace: string): Promise<boolean> {
  const ns = CLUSTER_SCOPED.has(o.kind) ? [] : ['-n', o.metadata.namespace ?? namespace];
  const r = await cluster.kubectl(['get', `${o.kind}.${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}`.replace(/\.$/, ''), o.metadata.name, ...ns, '-o', 'name']);
  return r.code === 0;
}

const CLUSTER_SCOPED = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding']);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'calico-ipv6-webhook-chart-e2e-'));
  cluster = await startCluster();
  cert = await makeServingCert(join(dir, 'tls'), { ipSans: ['127.0.0.1'], dnsSans: ['localhost'] });
  const configPath = join(dir, 'config.yaml');
  await writeConfig(configPath, { mode: 'ipv6-only', podCIDR: 'fd20::/112', serviceCIDR: 'fd00:10:96::/112', clusterDNS: 'fd00:10:96::a' });
  webhook = await startWebhook({ cert, configPath });
  // The Prometheus Operator's ServiceMonitor and PrometheusRule, for the chart's monitoring objects.
  await installCrds(cluster, [CERT_MANAGER_CRDS, PROMETHEUS_OPERATOR_CRDS],
    ['certificates.cert-manager.io', 'issuers.cert-manager.io', 'servicemonitors.monitoring.coreos.com', 'prometheusrules.monitoring.coreos.com']);
});

after(async () => {
  await webhook?.stop();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const helmVersion of [3, 4] as const) {
  describe(`helm ${helmVersion}`, () => {
    const release = `ipv6-h${helmVersion}`;
    const namespace = `calico-ipv6-webhook-h${helmVersion}`;
    const values = () => [
      '--set', `webhook.url=${webhook.url}`,
      '--set', `tls.caBundle=${Buffer.from(cert.caPem).toString('base64')}`,
      '--set', `webhook.namespaces={kube-system,${namespace}-target}`,
      '--set', 'discovery.enabled=true',
      '--set', 'metrics.serviceMonitor.enabled=true',
      '--set', 'metrics.prometheusRule.enabled=true',
    ];
    let installed: Rendered[] = [];

    test('install: every rendered object is accepted by the API server', async () => {
      assert.equal((await cluster.kubectl(['create', 'namespace', `${namespace}-target`])).code, 0);
      const r = await cluster.helm(helmVersion, ['install', release, CHART, '--namespace', namespace, '--create-namespace', ...values()]);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /STATUS: deployed/);
      const manifest = await cluster.helm(helmVersion, ['get', 'manifest', release, '--namespace', namespace]);
      assert.equal(manifest.code, 0, manifest.stderr);
      installed = objectsOf(manifest.stdout);
      const kinds = new Set(installed.map((o) => o.kind));
      for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap', 'PodDisruptionBudget', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'Certificate', 'Issuer', 'ClusterRole', 'ServiceMonitor', 'PrometheusRule']) {
        assert.ok(kinds.has(kind), `the chart rendered a ${kind}`);
      }
      for (const o of installed) assert.ok(await exists(o, namespace), `${o.kind} ${o.metadata.name} exists in the cluster`);
    });

    test('the monitoring objects pass the API server\'s strict field validation against the Prometheus Operator CRDs', async () => {
      const monitoring = installed.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PrometheusRule');
      assert.deepEqual(monitoring.map((o) => o.kind).sort(), ['PrometheusRule', 'ServiceMonitor']);
      const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: monitoring.map((o) => ({ ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-strict` } })) });
      const r = await cluster.kubectl(['create', '--dry-run=server', '--validate=strict', '-n', namespace, '-f', '-'], { input: list });
      assert.equal(r.code, 0, r.stderr);
      // ...which does refuse a field the CRD lacks.
      const bad = JSON.stringify({ ...monitoring[0], metadata: { name: 'strict-bad' }, spec: { ...(monitoring[0] as unknown as { spec: object }).spec, scrapeEvery: '1m' } });
      const refused = await cluster.kubectl(['create', '--dry-run=server', '--validate=strict', '-n', namespace, '-f', '-'], { input: bad });
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /unknown field "spec.scrapeEvery"/);
    });

    test("a real Calico manifest is corrected through the chart's webhook configurations", async () => {
      const manifest = (await import('node:fs')).readFileSync(join(REAL, 'calico/calico-v3.28.0-calico-vxlan.yaml'), 'utf8')
        .replaceAll('namespace: kube-system', `namespace: ${namespace}-target`);
      const r = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: manifest });
      assert.equal(r.code, 0, r.stderr);
      const ds = await cluster.kubectl(['get', 'daemonset', 'calico-node', '-n', `${namespace}-target`, '-o', 'jsonpath={.spec.template.spec.containers[0].env}']);
      const env = new Map((JSON.parse(ds.stdout) as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
      assert.equal(env.get('CALICO_IPV6POOL_CIDR'), 'fd20::/112');
      assert.equal(env.get('IP'), 'none');
      assert.equal(env.get('FELIX_IPV6SUPPORT'), 'true');
    });

    test('upgrade changes the webhook configurations in place', async () => {
      const r = await cluster.helm(helmVersion, ['upgrade', release, CHART, '--namespace', namespace, ...values(), '--set', 'webhook.timeoutSeconds=3']);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const name = installed.find((o) => o.kind === 'ValidatingWebhookConfiguration')?.metadata.name ?? '';
      const timeout = await cluster.kubectl(['get', 'validatingwebhookconfiguration', name, '-o', 'jsonpath={.webhooks[0].timeoutSeconds}']);
      assert.equal(timeout.stdout, '3');
    });

    test('uninstall leaves nothing behind', async () => {
      const r = await cluster.helm(helmVersion, ['uninstall', release, '--namespace', namespace]);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      for (const o of installed) assert.equal(await exists(o, namespace), false, `${o.kind} ${o.metadata.name} was removed`);
      const left = await cluster.kubectl(['get', 'all,configmap,secret,serviceaccount,role,rolebinding,pdb,certificate,issuer,servicemonitor,prometheusrule', '-n', namespace, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']);
      assert.equal(left.stdout.trim(), '', `left behind: ${left.stdout}`);
      const webhooks = await cluster.kubectl(['get', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', '-o', 'name']);
      assert.doesNotMatch(webhooks.stdout, new RegExp(release), 'no webhook configuration of the release remains');
    });
  });
}
