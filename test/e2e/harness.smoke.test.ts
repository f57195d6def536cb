// Smoke test of the real-API-server harness: node --import tsx --test test/e2e/harness.smoke.test.ts
// Needs the binaries from scripts/provision.sh e2e.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeServingCert, startCluster, type TestCluster } from './harness/cluster.js';

import { kubernetesTarget } from './harness/kubernetes.js';

// The version the apiserver module of the selected minor pins; the binary must report it (ldflags worked).
const K8S_VERSION = kubernetesTarget().version;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let cluster: TestCluster;

before(async () => {
  const t0 = Date.now();
  cluster = await startCluster();
  console.log(`# cluster ready at ${cluster.server} in ${Date.now() - t0} ms`);
});

// Safety net if an assertion fails before the explicit stop test; stop() is idempotent.
after(() => cluster?.stop());

void test('kubectl sees the pinned server version, and is of the same minor itself', async () => {
  const r = await cluster.kubectl(['version', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout) as { serverVersion: { gitVersion: string; gitTreeState: string }; clientVersion: { gitVersion: string } };
  assert.equal(v.serverVersion.gitVersion, K8S_VERSION);
  assert.equal(v.serverVersion.gitTreeState, 'clean');
  assert.equal(v.clientVersion.gitVersion, K8S_VERSION);
});

void test('namespace and ConfigMap round-trip through etcd', async () => {
  let r = await cluster.kubectl(['create', 'namespace', 'smoke']);
  assert.equal(r.code, 0, r.stderr);
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'calico-config', namespace: 'smoke' },
    data: { calico_backend: 'bird', cni_network_config: '{"type":"calico"}' },
  };
  r = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cm) });
  assert.equal(r.code, 0, r.stderr);
  r = await cluster.kubectl(['get', 'configmap', 'calico-config', '-n', 'smoke', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { data: Record<string, string>; metadata: { uid?: string } };
  assert.deepEqual(got.data, cm.data);
  assert.ok(got.metadata.uid);
});

void test('the IPv6 service range is in effect', async () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'probe', namespace: 'smoke' },
    spec: { ports: [{ port: 53, protocol: 'UDP' }] },
  };
  const r = await cluster.kubectl(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify(svc) });
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { spec: { clusterIP: string; ipFamilies: string[] } };
  assert.match(got.spec.clusterIP, /^fd00:10:96::/);
  assert.deepEqual(got.spec.ipFamilies, ['IPv6']);
});

void test('admission webhook APIs are served', async () => {
  const r = await cluster.kubectl(['api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^mutatingwebhookconfigurations\.admissionregistration\.k8s\.io$/m);
  assert.match(r.stdout, /^validatingwebhookconfigurations\.admissionregistration\.k8s\.io$/m);
});

void test('helm 3 and helm 4 run', async () => {
  const h3 = await cluster.helm(3, ['version', '--short']);
  assert.equal(h3.code, 0, h3.stderr);
  assert.match(h3.stdout, /^v3\./);
  const h4 = await cluster.helm(4, ['version', '--short']);
  assert.equal(h4.code, 0, h4.stderr);
  assert.match(h4.stdout, /^v4\./);
  // Talks to the apiserver through --kubeconfig: an empty release list, not a connection error.
  const ls = await cluster.helm(3, ['list', '-A', '-o', 'json']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(JSON.parse(ls.stdout), []);
});

void test('makeServingCert yields a cert Node TLS accepts for 127.0.0.1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'calico-e2e-cert-'));
  try {
    const c = await makeServingCert(dir, { ipSans: ['127.0.0.1'], dnsSans: ['localhost'] });
    const srv = createServer({ cert: c.certPem, key: readFileSync(c.keyPath) }, (_req, res) => res.end('ok'));
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
    try {
      const port = (srv.address() as AddressInfo).port;
      const body = await new Promise<string>((ok, fail) => {
        request(`https://127.0.0.1:${port}/`, { ca: c.caPem }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => ok(b));
        })
          .on('error', fail)
          .end();
      });
      assert.equal(body, 'ok');
    } finally {
      srv.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('stop() kills etcd and kube-apiserver and removes the temp dir', async () => {
  const { pids, dir } = cluster;
  assert.ok(alive(pids.etcd) && alive(pids.apiserver));
  await cluster.stop();
  assert.equal(alive(pids.apiserver), false, 'kube-apiserver still running');
  assert.equal(alive(pids.etcd), false, 'etcd still running');
  assert.equal(existsSync(dir), false, `${dir} still exists`);
});
