// The chart to its anchors' standard (cert-manager's and Kyverno's charts), with Helm 3 and Helm 4:
// Artifact Hub annotations, the optional NetworkPolicy, extraObjects, the ci/*-values.yaml files and the
// `helm test` Pod, whose script is run here against a real server.
//   node --import tsx --test test/chart/chart-standards.test.ts
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { CHART_DIR, HELM_VERSIONS, NAMESPACE, RELEASE, findAll, findOne, helm, render, type K8sObject } from './helm.js';
import { startTestServer } from '../support/server.js';
import { REPO_ROOT } from '../support/repo-root.js';

const CHART = parseYaml(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { appVersion: string; annotations: Record<string, string> };
const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { license: string };
const CI_DIR = join(CHART_DIR, 'ci');
const CI_FILES = readdirSync(CI_DIR).filter((f) => f.endsWith('-values.yaml')).sort();
const FULLNAME = `${RELEASE}-calico-ipv6-webhook`;
const HARDENED = ['-f', join(CI_DIR, 'hardened-values.yaml')];

interface PodTemplate { metadata: { labels: Record<string, string> }; spec: { containers: { ports: { containerPort: number }[] }[] } }
interface Deployment extends K8sObject { spec: { selector: { matchLabels: Record<string, string> }; template: PodTemplate } }
interface Service extends K8sObject { spec: { selector: Record<string, string>; ports: { port: number }[] } }
interface PolicyRule { ports: { protocol: string; port: number }[]; from?: Record<string, unknown>[] }
interface NetworkPolicy extends K8sObject { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: PolicyRule[] } }
interface EnvVar { name: string; value?: string }
interface TestPod extends K8sObject {
  spec: {
    restartPolicy: string;
    automountServiceAccountToken: boolean;
    containers: { image: string; command: string[]; env: EnvVar[]; volumeMounts: { name: string; mountPath: string }[] }[];
    volumes: { name: string; secret: { secretName: string; optional: boolean; items: { key: string; path: string }[] } }[];
  };
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const envOf = (pod: TestPod) => Object.fromEntries(pod.spec.containers[0]!.env.map((e) => [e.name, e.value ?? '']));

void describe('Artifact Hub annotations', () => {
  const a = CHART.annotations;
  void test('the license is package.json\'s, links and changes are well-formed lists', () => {
    assert.equal(a['artifacthub.io/license'], PACKAGE.license);
    const links = parseYaml(a['artifacthub.io/links'] ?? '') as { name: string; url: string }[];
    assert.ok(links.length > 0);
    for (const l of links) {
      assert.ok(l.name.length > 0);
      assert.match(l.url, /^https:\/\/[^\s]+$/);
    }
    // Artifact Hub's kinds (https://artifacthub.io/docs/topics/annotations/helm/#supported-annotations).
    const changes = parseYaml(a['artifacthub.io/changes'] ?? '') as { kind: string; description: string }[];
    assert.ok(changes.length > 0);
    for (const c of changes) {
      assert.ok(['added', 'changed', 'deprecated', 'removed', 'fixed', 'security'].includes(c.kind), c.kind);
      assert.ok(c.description.length > 0);
    }
    for (const key of ['artifacthub.io/operator', 'artifacthub.io/prerelease', 'artifacthub.io/containsSecurityUpdates']) assert.match(a[key] ?? '', /^(true|false)$/, key);
  });

  for (const v of HELM_VERSIONS) {
    void test(`helm ${v}: the images annotation lists exactly the images the defaults run`, () => {
      const listed = (parseYaml(a['artifacthub.io/images'] ?? '') as { name: string; image: string }[]).map((i) => i.image);
      const objects = render(v, { tests: true });
      const used = new Set(objects.flatMap((o) => {
        const spec = (o.kind === 'Pod' ? o.spec : (o as Deployment).spec?.template?.spec) as { containers?: { image: string }[] } | undefined;
        return (spec?.containers ?? []).map((c) => c.image);
      }));
      assert.deepEqual(listed, [...used]);
      assert.deepEqual(listed, [`calico-ipv6-webhook:${CHART.appVersion}`]);
    });
  }
});

for (const v of HELM_VERSIONS) {
  void describe(`helm ${v}`, () => {
    void test('every ci/*-values.yaml lints with --strict and renders', () => {
      assert.deepEqual(CI_FILES, ['default-values.yaml', 'existing-secret-values.yaml', 'hardened-values.yaml', 'url-values.yaml']);
      for (const file of CI_FILES) {
        const values = ['-f', join(CI_DIR, file)];
        const lint = helm(v, ['lint', CHART_DIR, '--strict', '--namespace', NAMESPACE, '--kube-version', '1.37.2', ...values]);
        assert.equal(lint.code, 0, `helm lint -f ci/${file}:\n${lint.stdout}\n${lint.stderr}`);
        assert.doesNotMatch(lint.stdout, /\[(WARNING|ERROR)\]/, file);
        const objects = render(v, { extra: values, tests: true });
        // url-values: no server, so no Deployment and no test Pod; every other file runs the server.
        assert.equal(findAll(objects, 'Deployment').length, file === 'url-values.yaml' ? 0 : 1, file);
        assert.equal(findAll(objects, 'Pod').length, file === 'url-values.yaml' ? 0 : 1, file);
        assert.equal(findAll(objects, 'NetworkPolicy').length, file === 'hardened-values.yaml' ? 1 : 0, file);
      }
    });

    void test('no NetworkPolicy by default; enabled, it admits any source to the server port of the webhook pods only', () => {
      assert.equal(findAll(render(v), 'NetworkPolicy').length, 0);
      const objects = render(v, { set: { 'networkPolicy.enabled': true } });
      const policy = findOne<NetworkPolicy>(objects, 'NetworkPolicy', FULLNAME);
      const deployment = findOne<Deployment>(objects, 'Deployment');
      assert.equal(policy.metadata.namespace, NAMESPACE);
      assert.deepEqual(policy.spec.podSelector.matchLabels, deployment.spec.selector.matchLabels);
      assert.ok(matches(policy.spec.podSelector.matchLabels, deployment.spec.template.metadata.labels));
      assert.deepEqual(policy.spec.policyTypes, ['Ingress'], 'egress is left alone (discovery talks to the API server)');
      const port = deployment.spec.template.spec.containers[0]!.ports[0]!.containerPort;
      assert.deepEqual(policy.spec.ingress, [{ ports: [{ protocol: 'TCP', port }] }], 'one rule, no from: any source');
      // The policy applies on the pod's port, not the Service's.
      const changed = findOne<NetworkPolicy>(render(v, { set: { 'networkPolicy.enabled': true, 'server.port': 9443 } }), 'NetworkPolicy');
      assert.equal(changed.spec.ingress[0]!.ports[0]!.port, 9443);
      assert.equal(findAll(render(v, { set: { 'networkPolicy.enabled': true, 'server.enabled': false, 'webhook.url': 'https://127.0.0.1:8443' } }), 'NetworkPolicy').length, 0);
    });

    void test('narrowed, the NetworkPolicy admits ingressFrom, Prometheus for /metrics and the helm test Pod, each on the server port', () => {
      const objects = render(v, { extra: HARDENED, tests: true });
      const policy = findOne<NetworkPolicy>(objects, 'NetworkPolicy');
      const pod = findOne<TestPod>(objects, 'Pod');
      assert.deepEqual(policy.spec.ingress.map((r) => r.ports), [[{ protocol: 'TCP', port: 8443 }], [{ protocol: 'TCP', port: 8443 }], [{ protocol: 'TCP', port: 8443 }]]);
      assert.deepEqual(policy.spec.ingress[0]!.from, [{ ipBlock: { cidr: 'fd00:10::/64' } }]);
      assert.deepEqual(policy.spec.ingress[1]!.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
      const testPeer = policy.spec.ingress[2]!.from as { podSelector: { matchLabels: Record<string, string> } }[];
      assert.ok(matches(testPeer[0]!.podSelector.matchLabels, pod.metadata.labels ?? {}), 'the helm test Pod is admitted');
      // Without the ServiceMonitor the metrics rule goes; without the test Pod its rule goes.
      const lean = findOne<NetworkPolicy>(render(v, { extra: [...HARDENED, '--set', 'metrics.serviceMonitor.enabled=false', '--set', 'helmTest.enabled=false'] }), 'NetworkPolicy');
      assert.deepEqual(lean.spec.ingress.map((r) => r.from), [[{ ipBlock: { cidr: 'fd00:10::/64' } }]]);
    });

    void test('extraObjects render as strings and as objects, both through tpl', () => {
      const objects = render(v, { extra: HARDENED });
      const extra = findOne<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap', `${FULLNAME}-extra`);
      assert.equal(extra.metadata.namespace, NAMESPACE);
      assert.deepEqual(extra.data, { release: RELEASE });
      findOne(objects, 'PriorityClass', `${RELEASE}-webhook`);
      assert.equal(render(v).filter((o) => o.metadata.name.endsWith('-extra')).length, 0);
    });

    void test('the helm test Pod is a test hook on the webhook image, reaching the Service, trusting only ca.crt', () => {
      const objects = render(v, { tests: true });
      assert.equal(findAll(render(v), 'Pod').length, 0, 'helm install does not create it');
      const pod = findOne<TestPod>(objects, 'Pod', `${FULLNAME}-test`);
      const deployment = findOne<Deployment & { spec: { template: { spec: { containers: { image: string }[]; volumes: { name: string; secret?: { secretName: string } }[] } } } }>(objects, 'Deployment');
      const service = findOne<Service>(objects, 'Service');
      assert.equal(pod.metadata.annotations?.['helm.sh/hook'], 'test');
      assert.equal(pod.spec.restartPolicy, 'Never');
      assert.equal(pod.spec.automountServiceAccountToken, false);
      assert.equal(pod.spec.containers[0]!.image, deployment.spec.template.spec.containers[0]!.image);
      assert.ok(!matches(service.spec.selector, pod.metadata.labels ?? {}), 'the Service never sends reviews to the test Pod');
      assert.equal(envOf(pod).REVIEW_URL, `https://${service.metadata.name}.${NAMESPACE}.svc:${service.spec.ports[0]!.port}/mutate`);
      assert.equal(envOf(pod).POD_CIDR, 'fd20::/112');
      const tls = deployment.spec.template.spec.volumes.find((x) => x.name === 'tls');
      const ca = pod.spec.volumes[0]!;
      assert.equal(ca.secret.secretName, tls?.secret?.secretName);
      assert.deepEqual(ca.secret.items, [{ key: 'ca.crt', path: 'ca.crt' }], 'never the private key');
      assert.equal(envOf(pod).CA_FILE, `${pod.spec.containers[0]!.volumeMounts[0]!.mountPath}/ca.crt`);
      assert.equal(findAll(render(v, { tests: true, set: { 'helmTest.enabled': false } }), 'Pod').length, 0);
    });
  });
}

void describe('the helm test script against a real server', () => {
  const pod = findOne<TestPod>(render(4, { tests: true, set: { 'config.podCIDR': 'fd20:0:1::/112' } }), 'Pod');
  const [node, flag, script] = pod.spec.containers[0]!.command;
  assert.equal(node, 'node');
  assert.equal(flag, '-e');
  /** Runs the Pod's command (with this project's node) and env, the URL pointed at `url`. */
  const run = async (url: string, ca: string) => promisify(execFile)(process.execPath, ['-e', script!], {
    encoding: 'utf8', timeout: 30_000,
    env: { ...envOf(pod), REVIEW_URL: `${url}/mutate`, CA_FILE: '/nonexistent', CA_BUNDLE: Buffer.from(ca).toString('base64') },
  }).then(({ stdout }) => ({ ok: true, out: stdout }), (e: { stderr: string }) => ({ ok: false, out: e.stderr }));

  void test('passes when the webhook sets the chart\'s podCIDR', async (t) => {
    const server = await startTestServer(t, { flags: { podCIDR: 'fd20:0:1::/112' } });
    const r = await run(server.url, server.ca);
    assert.ok(r.ok, r.out);
    assert.match(r.out, /helm test passed: .* set CALICO_IPV6POOL_CIDR=fd20:0:1::\/112/);
  });

  void test('fails when the webhook is configured with another podCIDR', async (t) => {
    const server = await startTestServer(t, { flags: { podCIDR: 'fd20:0:2::/112' } });
    const r = await run(server.url, server.ca);
    assert.equal(r.ok, false);
    assert.match(r.out, /the patch does not set CALICO_IPV6POOL_CIDR=fd20:0:1::\/112/);
  });

  void test('fails on an answer for another review, and on an untrusted certificate', async (t) => {
    const real = await startTestServer(t);
    const tls = { cert: readFileSync(real.files.certPath), key: readFileSync(real.files.keyPath) };
    const liar = createServer(tls, (_req, res) => res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'another', allowed: true } })));
    await new Promise<void>((done) => liar.listen(0, '127.0.0.1', done));
    t.after(() => liar.close());
    const url = `https://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    const wrongUid = await run(url, real.ca);
    assert.equal(wrongUid.ok, false);
    assert.match(wrongUid.out, /the answer is not for review/);
    const other = await startTestServer(t);
    const untrusted = await run(real.url, other.ca);
    assert.equal(untrusted.ok, false);
    assert.match(untrusted.out, /helm test failed: .*certificate/i);
  });
});
