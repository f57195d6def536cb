// End to end for issue 14: a real Canal manifest and a dual-stack configuration applied with kubectl on a
// real kube-apiserver; the stored objects are read back.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeServingCert, startCluster, type ServingCert, type TestCluster } from './harness/cluster.js';
import { renderWebhookConfigurations, startWebhook, writeConfig, type WebhookProcess } from './harness/webhook.js';
import { E2E_CONFIG, daemonSetEnv, getJson, reconfigure as reconfigureWebhook } from './harness/kube.js';
import { REPO_ROOT } from '../support/repo-root.js';

const REAL = process.env.REAL_FIXTURES_DIR ?? join(REPO_ROOT, '../shared/fixtures/real');
const CANAL = join(REAL, 'calico', 'calico-v3.29.0-canal.yaml');
const CALICO = join(REAL, 'calico', 'calico-v3.29.0-calico.yaml');
const DUAL_NAMESPACE = 'e2e-dual';
// canal-config comes before the DaemonSet in the file, and without discovery the webhook learns the Calico
// version from its configuration (host-local's usePodCidrIPv6 needs v3.22): as an operator would set it.
const BASE_CONFIG = { ...E2E_CONFIG, calicoVersion: 'v3.29.0' };

let cluster: TestCluster;
let webhook: WebhookProcess;
let cert: ServingCert;
let dir: string;
let configPath: string;

async function kubectl(args: string[], input?: string) {
  return cluster.kubectl(args, input === undefined ? {} : { input });
}

async function nodeEnv(daemonSet: string, namespace: string): Promise<Map<string, string | undefined>> {
  return daemonSetEnv(cluster, daemonSet, namespace);
}

async function configMapData(name: string, namespace: string): Promise<Record<string, string>> {
  return (await getJson<{ data: Record<string, string> }>(cluster, ['configmap', name, '-n', namespace])).data;
}

async function reconfigure(values: Record<string, unknown>): Promise<void> {
  await reconfigureWebhook(webhook, configPath, values);
}

/** The manifest with its namespaced objects moved to another namespace (cluster-scoped ones are applied again as they are). */
function inNamespace(file: string, namespace: string): string {
  return readFileSync(file, 'utf8').replaceAll('namespace: kube-system', `namespace: ${namespace}`);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'calico-ipv6-webhook-e2e-canal-'));
  cluster = await startCluster();
  cert = await makeServingCert(join(dir, 'tls'), { ipSans: ['127.0.0.1'], dnsSans: ['localhost'] });
  configPath = join(dir, 'config.yaml');
  await writeConfig(configPath, BASE_CONFIG);
  webhook = await startWebhook({ cert, configPath });
  assert.equal((await kubectl(['create', 'namespace', DUAL_NAMESPACE])).code, 0);
  const yaml = await renderWebhookConfigurations(cluster, { url: webhook.url, caPem: cert.caPem, namespaces: ['kube-system', DUAL_NAMESPACE] });
  const r = await kubectl(['apply', '-f', '-'], yaml);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await webhook?.stop();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Canal and dual-stack through kubectl (issue 14)', () => {
  test('the real fixtures are present', () => {
    for (const file of [CANAL, CALICO]) assert.ok(existsSync(file), `missing real fixture ${file}; set REAL_FIXTURES_DIR`);
  });

  test('Canal, ipv6-only: flannel carries IPv6 only, host-local hands out IPv6, calico-node has no IPv4 pool', async () => {
    const r = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', CANAL]);
    assert.equal(r.code, 0, r.stderr);
    const data = await configMapData('canal-config', 'kube-system');
    assert.deepEqual(JSON.parse(data['net-conf.json'] ?? ''), { Network: '10.244.0.0/16', Backend: { Type: 'vxlan' }, EnableIPv6: true, IPv6Network: 'fd20::/112', EnableIPv4: false });
    assert.match(data.cni_network_config ?? '', /"type": "host-local",\s*"subnet": "usePodCidrIPv6"/);
    assert.match(data.cni_network_config ?? '', /"mtu": __CNI_MTU__,/, 'placeholders are kept');
    const env = await nodeEnv('canal', 'kube-system');
    assert.deepEqual(['CALICO_IPV6POOL_CIDR', 'IP6', 'FELIX_IPV6SUPPORT', 'IP', 'CALICO_IPV4POOL_CIDR', 'CALICO_IPV6POOL_NAT_OUTGOING'].map((n) => env.get(n)),
      ['fd20::/112', 'autodetect', 'true', 'none', 'none', 'true']);
  });

  test('dual-stack: Canal gets the two-range host-local and flannel keeps IPv4; calico.yaml keeps IPv4 with its pool', async () => {
    await reconfigure({ ...BASE_CONFIG, mode: 'dual-stack', ipv4PodCIDR: '10.244.0.0/16' });
    const canal = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], inNamespace(CANAL, DUAL_NAMESPACE));
    assert.equal(canal.code, 0, canal.stderr);
    const data = await configMapData('canal-config', DUAL_NAMESPACE);
    assert.deepEqual(JSON.parse(data['net-conf.json'] ?? ''), { Network: '10.244.0.0/16', Backend: { Type: 'vxlan' }, EnableIPv6: true, IPv6Network: 'fd20::/112' });
    assert.match(data.cni_network_config ?? '', /"ranges": \[\[\{"subnet": "usePodCidr"\}\], \[\{"subnet": "usePodCidrIPv6"\}\]\]/);
    const canalEnv = await nodeEnv('canal', DUAL_NAMESPACE);
    assert.deepEqual(['CALICO_IPV4POOL_CIDR', 'IP'].map((n) => canalEnv.get(n)), ['10.244.0.0/16', 'autodetect']);

    const calico = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], inNamespace(CALICO, DUAL_NAMESPACE));
    assert.equal(calico.code, 0, calico.stderr);
    const env = await nodeEnv('calico-node', DUAL_NAMESPACE);
    assert.deepEqual(['CALICO_IPV4POOL_CIDR', 'CALICO_IPV6POOL_CIDR', 'IP', 'IP6', 'FELIX_IPV6SUPPORT'].map((n) => env.get(n)),
      ['10.244.0.0/16', 'fd20::/112', 'autodetect', 'autodetect', 'true']);
    assert.match((await configMapData('calico-config', DUAL_NAMESPACE)).cni_network_config ?? '', /"assign_ipv4": "true",\s*"assign_ipv6": "true"/);
  });

  test('dual-stack: CALICO_IPV4POOL_CIDR=none is refused, the reason in kubectl\'s output', async () => {
    const r = await kubectl(['set', 'env', 'daemonset/calico-node', '-n', DUAL_NAMESPACE, '-c', 'calico-node', 'CALICO_IPV4POOL_CIDR=none']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /denied the request: .*calico-node\/ipv4-pool/s);
    assert.match(r.stderr, /every pod fails to start; set CALICO_IPV4POOL_CIDR to 10\.244\.0\.0\/16/);
    await reconfigure(BASE_CONFIG);
  });
});
