// End to end, the install users run: `helm install` with the chart's defaults on a real kube-apiserver,
// a real cert-manager issuing the serving certificate and injecting its CA, and the API server calling
// the webhook through the chart's Service (harness/service-route.ts), while kubectl applies real manifests.
// Run: npm run test:e2e (it provisions the binaries and builds dist/ first).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCluster, type TestCluster } from './harness/cluster.js';
import { installOnServiceRoute, machineIPv6, startCertManager, type CertManager, type ServiceRoute } from './harness/service-route.js';
import { MUTATING_WEBHOOK, VALIDATING_WEBHOOK, counterSum } from './harness/webhook.js';
import { E2E_CONFIG, daemonSetEnv, getJson as getJsonFrom } from './harness/kube.js';
import { REPO_ROOT } from '../support/repo-root.js';

const REAL = process.env.REAL_FIXTURES_DIR ?? join(REPO_ROOT, '../shared/fixtures/real');
const BAD_NAMESPACE = 'e2e-bad';
/** A namespace of its own, so that objects there come from one manifest only. */
const APPLY_NAMESPACE = 'e2e-apply';
const BASE_CONFIG = E2E_CONFIG;
const RELEASE = 'calico-ipv6-webhook';
const RELEASE_NAMESPACE = 'calico-ipv6-webhook';

let cluster: TestCluster;
let certManager: CertManager;
let route: ServiceRoute;
let dir: string;
const webhook = () => route.webhook();

interface EnvVar { name: string; value?: string }
interface Container { name: string; image: string; env?: EnvVar[]; args?: string[] }

async function kubectl(args: string[], input?: string) {
  return cluster.kubectl(args, input === undefined ? {} : { input });
}

async function getJson<T>(args: string[]): Promise<T> {
  return getJsonFrom<T>(cluster, args);
}

async function calicoNodeEnv(namespace = 'kube-system'): Promise<Map<string, string | undefined>> {
  return daemonSetEnv(cluster, 'calico-node', namespace);
}

/** The chart's values for the webhook configurations, changed the way an operator would: helm upgrade. */
async function registerWebhooks(options: { mutation?: boolean; failurePolicy?: 'Fail' | 'Ignore' } = {}): Promise<void> {
  await route.upgrade(['--set', `mutation.enabled=${options.mutation ?? true}`, '--set', `webhook.failurePolicy=${options.failurePolicy ?? 'Fail'}`]);
}

async function reconfigure(changes: Record<string, unknown>): Promise<void> {
  await route.reconfigure({ ...BASE_CONFIG, ...changes });
}

function calicoNodeManifest(namespace: string, env: EnvVar[], image = 'docker.io/calico/node:v3.29.0'): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'calico-node' } },
      template: { metadata: { labels: { 'k8s-app': 'calico-node' } }, spec: { containers: [{ name: 'calico-node', image, env }] } },
    },
  });
}

/** The certificate the webhook presents on its endpoint, read as the API server sees it (TLS to the endpoint, SNI = the Service name). */
function servedCertificate(): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: machineIPv6(), port: webhook().port, servername: route.service.dnsName, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerX509Certificate();
      socket.end();
      if (raw) resolve(raw);
      else reject(new Error('no peer certificate'));
    });
    socket.once('error', reject);
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'calico-ipv6-webhook-e2e-'));
  cluster = await startCluster();
  certManager = await startCertManager(cluster);
  for (const ns of [BAD_NAMESPACE, APPLY_NAMESPACE]) assert.equal((await kubectl(['create', 'namespace', ns])).code, 0);
  // The chart's defaults, but for the namespaces under test; E2E_CONFIG is the chart's default config.
  route = await installOnServiceRoute(cluster, {
    helm: 4, release: RELEASE, namespace: RELEASE_NAMESPACE, dir,
    set: ['--set', `webhook.namespaces={kube-system,${BAD_NAMESPACE},${APPLY_NAMESPACE}}`],
  });
});

after(async () => {
  await route?.close();
  await certManager?.stop();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the install users run: helm install with the defaults, cert-manager, the Service route', () => {
  test('a real cert-manager issues the serving certificate and injects the CA', async () => {
    const ready = await kubectl(['get', 'certificate', route.certificate, '-n', RELEASE_NAMESPACE, '-o', 'json']);
    const certificate = JSON.parse(ready.stdout) as { status: { conditions: { type: string; status: string }[] } };
    assert.ok(certificate.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'), 'the Certificate is Ready');
    // cert-manager's own marks: the Secret's annotations and the CertificateRequest it approved and signed.
    const secret = await getJson<{ metadata: { annotations: Record<string, string> } }>(['secret', route.secret, '-n', RELEASE_NAMESPACE]);
    assert.equal(secret.metadata.annotations['cert-manager.io/certificate-name'], route.certificate);
    assert.equal(secret.metadata.annotations['cert-manager.io/issuer-kind'], 'Issuer');
    const requests = await getJson<{ items: { status: { conditions: { type: string; status: string }[] } }[] }>(['certificaterequests', '-n', RELEASE_NAMESPACE]);
    assert.ok(requests.items.length >= 2, 'the CA and the serving certificate were requested');
    for (const r of requests.items) {
      assert.ok(r.status.conditions.some((c) => c.type === 'Approved' && c.status === 'True'), 'approved by cert-manager');
      assert.ok(r.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'), 'signed');
    }
    const { cert, ca } = await route.servingSecret();
    const leaf = new X509Certificate(cert);
    const caCert = new X509Certificate(ca);
    assert.ok(leaf.verify(caCert.publicKey), 'the serving certificate is signed by the chart\'s CA');
    assert.ok(caCert.ca, 'by a CA certificate');
    assert.ok(leaf.checkHost(route.service.dnsName), `for ${route.service.dnsName}`);
    const bundles = await route.caBundles();
    assert.equal(bundles.mutating, ca, 'cainjector injected the CA into the MutatingWebhookConfiguration');
    assert.equal(bundles.validating, ca, 'and into the ValidatingWebhookConfiguration');
    const served = await servedCertificate();
    assert.equal(served.serialNumber, leaf.serialNumber, 'the webhook serves the certificate cert-manager issued');
  });

  test('the API server calls the webhook through its Service', async () => {
    const webhooks = await getJson<{ items: { webhooks: { clientConfig: { service?: { name: string; namespace: string; port: number }; url?: string } }[] }[] }>(['validatingwebhookconfiguration', '-l', `app.kubernetes.io/instance=${RELEASE}`]);
    const clientConfig = webhooks.items[0]?.webhooks[0]?.clientConfig;
    assert.deepEqual(clientConfig?.service && { ...clientConfig.service, path: undefined }, { name: route.service.name, namespace: RELEASE_NAMESPACE, port: route.service.port, path: undefined });
    assert.equal(clientConfig?.url, undefined, 'no URL: the Service route');
    const before = counterSum(await webhook().metrics(), 'calico_ipv6_webhook_reviews_total', { endpoint: 'mutate', kind: 'DaemonSet' });
    const r = await kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'IP', value: 'autodetect' }]));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"name": "IP",\s*"value": "none"/, 'mutated by the webhook behind the Service');
    assert.equal(counterSum(await webhook().metrics(), 'calico_ipv6_webhook_reviews_total', { endpoint: 'mutate', kind: 'DaemonSet' }), before + 1, 'one review reached the process behind the Service');
  });
});

describe('real manifests applied with kubectl', () => {
  const calicoFiles = ['calico-v3.29.0-calico.yaml', 'calico-v3.31.0-flannel-migration-calico.yaml'].map((f) => join(REAL, 'calico', f));

  test('the real-world fixtures are present (the suite says so loudly when they are not)', () => {
    for (const file of calicoFiles) assert.ok(existsSync(file), `missing real fixture ${file}; set REAL_FIXTURES_DIR`);
  });

  test('a real Calico v3.29 manifest is stored with the IPv6 settings', async () => {
    const r = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', calicoFiles[0] as string]);
    assert.equal(r.code, 0, r.stderr);
    const env = await calicoNodeEnv();
    assert.equal(env.get('CALICO_IPV6POOL_CIDR'), 'fd20::/112');
    assert.equal(env.get('IP6'), 'autodetect');
    assert.equal(env.get('FELIX_IPV6SUPPORT'), 'true');
    assert.equal(env.get('IP'), 'none');
    assert.equal(env.get('CALICO_ROUTER_ID'), 'hash');
    const cm = await getJson<{ data: Record<string, string> }>(['configmap', 'calico-config', '-n', 'kube-system']);
    assert.match(cm.data.cni_network_config ?? '', /"type": "calico-ipam",\s*"assign_ipv4": "false",\s*"assign_ipv6": "true"/);
    assert.match(cm.data.cni_network_config ?? '', /"mtu": __CNI_MTU__,/, 'placeholders are kept');
  });

  test('re-applying a manifest leaves the stored objects as they are, and a fixed one is "unchanged"', async () => {
    const manifest = readFileSync(join(REPO_ROOT, 'examples/calico.yaml'), 'utf8').replaceAll('namespace: kube-system', `namespace: ${APPLY_NAMESPACE}`);
    const first = await kubectl(['apply', '-f', '-'], manifest);
    assert.equal(first.code, 0, first.stderr);
    const rvOf = async () => (await getJson<{ metadata: { resourceVersion: string } }>(['daemonset', 'calico-node', '-n', APPLY_NAMESPACE])).metadata.resourceVersion;
    const rv = await rvOf();
    // kubectl's three-way merge sends the file's IPv4 values again; the webhook restores the same object.
    const again = await kubectl(['apply', '-f', '-'], manifest);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await rvOf(), rv, 'a re-apply is a no-op for the stored object');

    // A file already corrected by `fix` gives kubectl nothing to send at all.
    const fixed = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/cli/main.js'), 'fix', '-'], { encoding: 'utf8', input: manifest });
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.equal((await kubectl(['apply', '-f', '-'], fixed.stdout)).code, 0);
    const reviews = counterSum(await webhook().metrics(), 'calico_ipv6_webhook_reviews_total');
    const unchanged = await kubectl(['apply', '-f', '-'], fixed.stdout);
    assert.equal(unchanged.code, 0, unchanged.stderr);
    assert.match(unchanged.stdout, /daemonset\.apps\/calico-node unchanged/);
    assert.match(unchanged.stdout, /configmap\/calico-config unchanged/);
    assert.equal(counterSum(await webhook().metrics(), 'calico_ipv6_webhook_reviews_total'), reviews, 'no review was needed');

    // An UPDATE of an object that is already right gets an empty patch.
    const patched = () => webhook().metrics().then((m) => counterSum(m, 'calico_ipv6_webhook_reviews_total', { endpoint: 'mutate', kind: 'DaemonSet', decision: 'patched' }));
    const allowed = () => webhook().metrics().then((m) => counterSum(m, 'calico_ipv6_webhook_reviews_total', { endpoint: 'mutate', kind: 'DaemonSet', operation: 'UPDATE', decision: 'allowed' }));
    const [patchedBefore, allowedBefore] = [await patched(), await allowed()];
    assert.equal((await kubectl(['label', 'daemonset', 'calico-node', '-n', APPLY_NAMESPACE, 'e2e=relabelled'])).code, 0);
    assert.equal(await patched(), patchedBefore, 'no patch for an object that is already right');
    assert.equal(await allowed(), allowedBefore + 1, 'the UPDATE was reviewed and allowed unchanged');
  });

  test('a real Calico v3.31 manifest is corrected too', async () => {
    const r = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', calicoFiles[1] as string]);
    assert.equal(r.code, 0, r.stderr);
    const env = await calicoNodeEnv();
    assert.equal(env.get('IP'), 'none');
    assert.equal(env.get('FELIX_IPV6SUPPORT'), 'true');
  });

  test('a calico-node DaemonSet under another name (Canal\'s canal-node) reaches the webhook and is corrected', async () => {
    const manifest = calicoNodeManifest(APPLY_NAMESPACE, [{ name: 'IP', value: 'autodetect' }]).replaceAll('"calico-node"', '"canal-node"');
    const r = await kubectl(['apply', '-f', '-'], manifest);
    assert.equal(r.code, 0, r.stderr);
    const env = await daemonSetEnv(cluster, 'canal-node', APPLY_NAMESPACE, 'canal-node');
    assert.equal(env.get('IP'), 'none');
    assert.equal(env.get('FELIX_IPV6SUPPORT'), 'true');
    assert.equal((await kubectl(['delete', 'daemonset', 'canal-node', '-n', APPLY_NAMESPACE])).code, 0);
  });

  test('an UPDATE that removes a setting gets it put back', async () => {
    const r = await kubectl(['set', 'env', 'daemonset/calico-node', '-n', 'kube-system', '-c', 'calico-node', 'FELIX_IPV6SUPPORT-', 'IP6=']);
    assert.equal(r.code, 0, r.stderr);
    const env = await calicoNodeEnv();
    assert.equal(env.get('FELIX_IPV6SUPPORT'), 'true');
    assert.equal(env.get('IP6'), 'autodetect');
  });

  test('kube-dns Deployment and Service are stored with the IPv6 settings', async () => {
    const r = await kubectl(['apply', '-f', join(REPO_ROOT, 'examples/kube-dns.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: kube-dns Service: clusterIP 10\.96\.0\.10 replaced by fd00:10:96::a/);
    const svc = await getJson<{ spec: { clusterIP: string } }>(['service', 'kube-dns', '-n', 'kube-system']);
    assert.equal(svc.spec.clusterIP, 'fd00:10:96::a');
    const deploy = await getJson<{ spec: { template: { spec: { containers: Container[] } } } }>(['deployment', 'kube-dns', '-n', 'kube-system']);
    const byName = new Map(deploy.spec.template.spec.containers.map((c) => [c.name, c]));
    assert.equal(byName.get('kubedns')?.image, 'registry.k8s.io/k8s-dns-kube-dns-amd64:1.14.8');
    assert.ok(byName.get('kubedns')?.args?.includes('--dns-bind-address=[::]'));
    const dnsmasqArgs = byName.get('dnsmasq')?.args ?? [];
    assert.ok(dnsmasqArgs.indexOf('--no-negcache') > dnsmasqArgs.indexOf('--'), '--no-negcache after --');
    assert.deepEqual(byName.get('sidecar')?.args?.filter((a) => a.startsWith('--probe=')).map((a) => a.split(',').pop()), ['SRV', 'SRV']);
  });

  test('re-applying an upstream kube-dns manifest keeps the stored IPv6 clusterIP, with a warning', async () => {
    const r = await kubectl(['apply', '-f', join(REAL, 'kube-dns/kube-dns-1.25.0-kube-dns.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: kube-dns Service: clusterIP 10\.96\.0\.10 from the manifest ignored; the Service keeps fd00:10:96::a \(clusterIP is immutable\)/);
    const svc = await getJson<{ spec: { clusterIP: string } }>(['service', 'kube-dns', '-n', 'kube-system']);
    assert.equal(svc.spec.clusterIP, 'fd00:10:96::a');
    const deploy = await getJson<{ spec: { template: { spec: { containers: Container[] } } } }>(['deployment', 'kube-dns', '-n', 'kube-system']);
    assert.ok(deploy.spec.template.spec.containers.find((c) => c.name === 'kubedns')?.args?.includes('--dns-bind-address=[::]'));
  });

  test('changing the kube-dns Service clusterIP is rejected with the way out', async () => {
    const r = await kubectl(['patch', 'service', 'kube-dns', '-n', 'kube-system', '--type', 'merge', '-p', '{"spec":{"clusterIP":"fd00:10:96::b","clusterIPs":["fd00:10:96::b"]}}']);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(
      `admission webhook "${MUTATING_WEBHOOK}" denied the request: calico-ipv6-webhook: Service kube-system/kube-dns does not meet the IPv6 rules (1 problem):\n`
      + '1. [kube-dns-service/cluster-ip-immutable] spec.clusterIP: found "fd00:10:96::b", expected "fd00:10:96::a". '
      + 'Fix: clusterIP is immutable, so the Service must be recreated: kubectl delete service -n kube-system kube-dns, then apply it again (the webhook sets fd00:10:96::a)',
    ), r.stderr);
  });
});

describe('rejections reach kubectl word for word', () => {
  test('a pool outside the pod CIDR', async () => {
    const r = await kubectl(['apply', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'CALICO_IPV6POOL_CIDR', value: 'fd30::/112' }]));
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(
      `Error from server (Forbidden): error when creating "STDIN": admission webhook "${VALIDATING_WEBHOOK}" denied the request: `
      + `calico-ipv6-webhook: DaemonSet ${BAD_NAMESPACE}/calico-node does not meet the IPv6 rules (1 problem):\n`
      + '1. [calico-node/ipv6-pool] spec.template.spec.containers[name=calico-node].env[name=CALICO_IPV6POOL_CIDR]: found "fd30::/112", '
      + 'expected inside podCIDR fd20::/112 (normally equal). Fix: inconsistent pool: pods would get addresses kube-proxy and the controller manager do not know; '
      + "set CALICO_IPV6POOL_CIDR to fd20::/112, the cluster's pod CIDR (--cluster-cidr)",
    ), r.stderr);
  });

  test('a literal IP6 address', async () => {
    const r = await kubectl(['apply', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'IP6', value: 'fd20::1' }]));
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(
      '1. [calico-node/ip6] spec.template.spec.containers[name=calico-node].env[name=IP6]: found "fd20::1", expected "autodetect". '
      + 'Fix: one literal address in a DaemonSet gives every node the same address; set IP6=autodetect (tune IP6_AUTODETECTION_METHOD if needed)',
    ), r.stderr);
  });

  test('IP=none without CALICO_ROUTER_ID when routerID is require', async () => {
    await reconfigure({ routerID: 'require' });
    try {
      const r = await kubectl(['apply', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'IP', value: 'none' }]));
      assert.notEqual(r.code, 0);
      assert.ok(r.stderr.includes(
        `admission webhook "${VALIDATING_WEBHOOK}" denied the request: calico-ipv6-webhook: DaemonSet ${BAD_NAMESPACE}/calico-node does not meet the IPv6 rules (1 problem):\n`
        + '1. [calico-node/router-id] spec.template.spec.containers[name=calico-node].env[name=CALICO_ROUTER_ID]: found absent, expected "hash". '
        + 'Fix: IP=none requires CALICO_ROUTER_ID; set CALICO_ROUTER_ID=hash (routerID is "require", so the webhook does not add it)',
      ), r.stderr);
    } finally {
      await reconfigure({});
    }
  });

  test('A-type probes when mutation is switched off', async () => {
    await registerWebhooks({ mutation: false });
    try {
      const deployment = readFileSync(join(REPO_ROOT, 'examples/kube-dns.yaml'), 'utf8').split(/^---$/m)[1] ?? '';
      const r = await kubectl(['apply', '-n', BAD_NAMESPACE, '-f', '-'], deployment.replace('namespace: kube-system', `namespace: ${BAD_NAMESPACE}`));
      assert.notEqual(r.code, 0);
      assert.ok(r.stderr.includes(`admission webhook "${VALIDATING_WEBHOOK}" denied the request: calico-ipv6-webhook: Deployment ${BAD_NAMESPACE}/kube-dns does not meet the IPv6 rules (7 problems):`), r.stderr);
      assert.ok(r.stderr.includes(
        '[kube-dns/probe-type] spec.template.spec.containers[name=sidecar].args[2]: found "--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,A", '
        + 'expected "--probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,SRV". '
        + 'Fix: wrong probe type: A probes fail in an IPv6-only cluster and restart-loop the pod; use SRV (the mutating webhook makes this change; it is off or was bypassed)',
      ), r.stderr);
    } finally {
      await registerWebhooks({ mutation: true });
    }
  });

  test('validationAction warn admits with kubectl Warning lines', async () => {
    await reconfigure({ validationAction: 'warn' });
    try {
      const r = await kubectl(['apply', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'CALICO_IPV6POOL_CIDR', value: 'fd30::/112' }]));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^Warning: would deny DaemonSet e2e-bad\/calico-node: \[calico-node\/ipv6-pool\] spec\.template\.spec\.containers\[name=calico-node\]\.env\[name=CALICO_IPV6POOL_CIDR\]: found "fd30::\/112"/m);
    } finally {
      await kubectl(['delete', 'daemonset', 'calico-node', '-n', BAD_NAMESPACE, '--ignore-not-found']);
      await reconfigure({});
    }
  });
});

describe('kubectl features and scoping', () => {
  test('apply --dry-run=server shows the mutation and stores nothing', async () => {
    const manifest = readFileSync(join(REPO_ROOT, 'examples/calico.yaml'), 'utf8').replaceAll('namespace: kube-system', `namespace: ${BAD_NAMESPACE}`);
    const r = await kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], manifest);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"name": "CALICO_IPV6POOL_CIDR",\s*"value": "fd20::\/112"/);
    const get = await kubectl(['get', 'daemonset', 'calico-node', '-n', BAD_NAMESPACE]);
    assert.notEqual(get.code, 0, 'nothing stored by a dry run');
  });

  test('kubectl diff of an applied manifest shows no difference, because the dry run is mutated the same way', async () => {
    const manifest = readFileSync(join(REPO_ROOT, 'examples/calico.yaml'), 'utf8').replaceAll('namespace: kube-system', `namespace: ${BAD_NAMESPACE}`);
    assert.equal((await kubectl(['apply', '-f', '-'], manifest)).code, 0);
    try {
      const r = await kubectl(['diff', '-f', '-'], manifest);
      assert.equal(r.code, 0, `unexpected diff:\n${r.stdout}\n${r.stderr}`);
      const changed = await kubectl(['diff', '-f', '-'], manifest.replace('value: "Always"', 'value: "Never"'));
      assert.equal(changed.code, 1, 'a real change is shown');
      assert.match(changed.stdout, /-\s+value: Always\n\+\s+value: Never/);
    } finally {
      await kubectl(['delete', '-f', '-', '--ignore-not-found'], manifest);
    }
  });

  test('objects that are not targets never reach the webhook', async () => {
    const before = counterSum(await webhook().metrics(), 'calico_ipv6_webhook_reviews_total');
    const other = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-calico', namespace: 'kube-system' }, data: { a: 'b' } },
      // Another name and not a calico/node image (a calico/node image under any name is a target).
      JSON.parse(calicoNodeManifest('kube-system', [{ name: 'IP6', value: 'none' }], 'example.com/other-node:v1').replace('"calico-node",', '"other-node",')) as object,
    ];
    for (const object of other) {
      const r = await kubectl(['apply', '-f', '-'], JSON.stringify(object));
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(counterSum(await webhook().metrics(), 'calico_ipv6_webhook_reviews_total'), before, 'no review was sent');
  });

  test('with the webhook down, failurePolicy Fail refuses target objects and nothing else', async () => {
    assert.equal(await webhook().stop(), 0, 'graceful exit');
    try {
      const target = await kubectl(['apply', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'IP', value: 'autodetect' }]));
      assert.notEqual(target.code, 0);
      // The endpoint is still listed (as until the endpoint controller sees the pod go), so the API
      // server reaches the address and finds nothing listening.
      assert.match(target.stderr, new RegExp(`failed calling webhook "${MUTATING_WEBHOOK.replaceAll('.', '\\.')}".*connection refused`));
      const other = await kubectl(['create', 'configmap', 'still-works', '-n', 'kube-system', '--from-literal=a=b']);
      assert.equal(other.code, 0, other.stderr);

      // failurePolicy Ignore trades that safety for availability: the object goes through unchecked.
      await registerWebhooks({ failurePolicy: 'Ignore' });
      const ignored = await kubectl(['apply', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'IP', value: 'autodetect' }]));
      assert.equal(ignored.code, 0, ignored.stderr);
      assert.equal((await calicoNodeEnv(BAD_NAMESPACE)).get('IP'), 'autodetect', 'stored without the IPv6 settings');
      assert.equal((await kubectl(['delete', 'daemonset', 'calico-node', '-n', BAD_NAMESPACE])).code, 0);
    } finally {
      await route.pod.start();
      await registerWebhooks();
    }
    const retry = await kubectl(['apply', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'IP', value: 'autodetect' }]));
    assert.equal(retry.code, 0, retry.stderr);
  });
});

describe('certificate renewal', () => {
  test('a cert-manager renewal is picked up without a restart', async () => {
    const pid = webhook().pid;
    const tlsReloads = async () => counterSum(await webhook().metrics(), 'calico_ipv6_webhook_reloads_total', { what: 'tls', result: 'ok' });
    const reloadsBefore = await tlsReloads();
    const serials = new Set([(await servedCertificate()).serialNumber]);
    // cert-manager's minimum duration is 1 h and renewBefore must be at least 5 min and below the duration
    // (its validation of Certificate specs); 59m40s then renews 20 s after each issuance. The change of
    // duration itself makes cert-manager re-issue first.
    await route.upgrade(['--set', 'certManager.duration=1h', '--set', 'certManager.renewBefore=59m40s']);
    const failures: string[] = [];
    let reviews = 0;
    const deadline = Date.now() + 180_000;
    // Reviews go on through the API server the whole time; three serials = the re-issue and a renewal.
    while (serials.size < 3 && Date.now() < deadline) {
      const r = await kubectl(['apply', '--dry-run=server', '-o', 'name', '-f', '-'], calicoNodeManifest(BAD_NAMESPACE, [{ name: 'IP', value: 'autodetect' }]));
      reviews += 1;
      if (r.code !== 0) failures.push(r.stderr);
      serials.add((await servedCertificate()).serialNumber);
    }
    assert.deepEqual(failures, [], `every one of ${reviews} reviews succeeded`);
    assert.ok(serials.size >= 3, `cert-manager renewed the serving certificate (saw ${serials.size} serials in ${reviews} reviews)`);
    assert.equal(webhook().pid, pid, 'the same process serves: no restart');
    assert.ok(await tlsReloads() >= reloadsBefore + 2, 'the server reloaded the rotated files');
    const { cert } = await route.servingSecret();
    const served = await servedCertificate();
    // The Secret may have moved on once more since the last look; the server follows within its reload interval.
    if (served.serialNumber !== new X509Certificate(cert).serialNumber) await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await servedCertificate()).serialNumber, new X509Certificate((await route.servingSecret()).cert).serialNumber, 'it serves what the Secret holds');
  });
});
